import { growingCache } from '../growing-cache.js'
import type { Clock } from '../options.js'
import { isSessionRecord, type SessionRecord } from './record.js'
import type { StoredRecord, TokenSeal } from './sealed-tokens.js'
import type { StoreCalls } from './store.js'

/**
 * How long a sign-out's tombstone stays in a shared store: far longer than any write that was in
 * flight at sign-out can take (store calls are bounded at seconds, a token refresh at ~10 s).
 */
export const TOMBSTONE_LIFETIME = 10 * 60_000

/** The store key of a session's tombstone (session ids are base64url: no id contains a dot). */
const tombstoneKey = (id: string): string => `${id}.ended`

const isTombstone = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { googleEndedAt?: unknown }).googleEndedAt === 'number'

export interface SessionRecords {
  /** True when this process knows the session ended. */
  isEnded (id: string): boolean
  /**
   * Writes a new session (a fresh random id: nothing to race with), its Google tokens sealed. `admittedSince` is when the
   * admission that made it began: a backend that can, refuses it when the user was revoked since.
   */
  create (id: string, record: SessionRecord, admittedSince?: number): Promise<void>
  /**
   * Writes a change to a live session, never bringing back one that ended: the change is skipped
   * when the session ended before it, and undone when a sign-out landed while it was being
   * written. `current` is the record already read, if any; `change` gets it with its tokens opened,
   * and what it returns is written with its tokens sealed (a session whose tokens cannot be opened
   * is not changed). Returns the record written (tokens opened), or null. With `confirm`, it
   * resolves once every instance sharing the store dropped its cached copy (the plugin's Redis
   * store; the others cache none): a request sent after it is served the change everywhere.
   */
  update (id: string, change: (current: SessionRecord) => SessionRecord | null, current?: StoredRecord, confirm?: boolean): Promise<SessionRecord | null>
  /** Ends a session: remembered in this process, a tombstone in a shared store, then the record removed. */
  end (id: string): Promise<void>
}

export interface SessionRecordsOptions {
  /**
   * Whether the store is shared with other processes. Then every sign-out leaves a tombstone in
   * it that every write checks before and after writing; a process-local store only needs this
   * process's memory of ended sessions.
   */
  shared: boolean
  /** Bound of one store call (ms): a write that failed is checked again after it. */
  timeout: number
  clock: Clock
  /** Seals Google tokens before they reach the store, opens them as they come back. */
  seal: TokenSeal
  /**
   * With device-bound sessions: a change made from a copy read earlier (`current`) reads the
   * record again before writing, and keeps the device key and a newer challenge found there.
   */
  deviceBound?: boolean
}

/**
 * Sign-out is final across instances sharing a store that only offers get/set/destroy: a writer
 * checks for a tombstone before writing (skip) and after writing (undo), and the sign-out writes
 * its tombstone before removing the record. Whatever the interleaving, a write that lands after
 * the removal is followed by its writer's check, which finds the tombstone and removes it again.
 */
export function sessionRecords (store: StoreCalls, options: SessionRecordsOptions): SessionRecords {
  // Ids ended by this process recently: checked first, at no cost.
  const ended = growingCache<string, true>(10_000, { ttl: TOMBSTONE_LIFETIME, perf: { now: options.clock.now } })

  async function endedElsewhere (id: string): Promise<boolean> {
    if (ended.has(id)) return true
    if (!options.shared) return false
    if (!isTombstone(await store.get(tombstoneKey(id)))) return false
    ended.set(id, true)
    return true
  }

  /** After a write: if the session ended meanwhile, remove what was written. */
  async function undoIfEnded (id: string): Promise<boolean> {
    if (!(await endedElsewhere(id))) return false
    await store.destroy(id)
    return true
  }

  return {
    // (Nothing ended yet, the usual case: no lookup.)
    isEnded: (id) => ended.size !== 0 && ended.has(id),

    create: (id, record) => store.set(id, options.seal.sealRecord(record)),

    async update (id, change, known) {
      if (await endedElsewhere(id)) return null
      const stored = known ?? await store.get(id)
      if (!isSessionRecord(stored) || ended.has(id)) return null
      const current = options.seal.openRecord(stored)
      if (typeof current === 'string') return null
      let next = change(current)
      if (next === null) return null
      // A copy read before a device bound the session must not write its key away.
      if (known !== undefined && options.deviceBound === true) next = keepBinding(next, current, await store.get(id))
      try {
        await store.set(id, options.seal.sealRecord(next))
      } catch (error) {
        // The write may still land after we gave up on it: check again once it could have.
        options.clock.setTimeout(() => { undoIfEnded(id).catch(() => {}) }, options.timeout)
        throw error
      }
      return (await undoIfEnded(id)) ? null : next
    },

    async end (id) {
      ended.set(id, true)
      try {
        if (options.shared) {
          const now = options.clock.now()
          await store.set(tombstoneKey(id), {
            cookie: { originalMaxAge: TOMBSTONE_LIFETIME, expires: new Date(now + TOMBSTONE_LIFETIME).toISOString() },
            googleEndedAt: now
          })
        }
        await store.destroy(id)
      } catch (error) {
        // Not ended after all: a retry must find the session and end it again.
        ended.delete(id)
        throw error
      }
    }
  }
}

/**
 * A device's binding only moves forward: the key found in the store is kept whatever the change
 * (a key is never replaced: the registration checks that its own was written), and the challenge
 * found there is kept unless the change set its own.
 */
function keepBinding (next: SessionRecord, base: SessionRecord, fresh: unknown): SessionRecord {
  if (!isSessionRecord(fresh)) return next
  const key = fresh.googleDeviceKey ?? next.googleDeviceKey
  const challenge = next.googleChallenge?.value === base.googleChallenge?.value ? fresh.googleChallenge : next.googleChallenge
  const { googleDeviceKey: _key, googleChallenge: _challenge, ...rest } = next
  return { ...rest, ...(key !== undefined && { googleDeviceKey: key }), ...(challenge !== undefined && { googleChallenge: challenge }) }
}

/**
 * What Cross-Account Protection keeps besides sessions: the ids of the security events already
 * acted on (a key seen once, for a while), and flags on users (an account Google disabled). Each
 * is optional in a backend; `accountMarks` (backend.ts) fills a missing one in from this process.
 */
export interface Marks {
  /**
   * True the first time `key` is seen (then remembered for `ttl` ms), false while it is
   * remembered. A shared store answers for every instance sharing it.
   */
  firstTime (key: string, ttl: number): Promise<boolean>
  /** Forgets `key` (what it guarded failed: a new delivery must be acted on). */
  forget (key: string): Promise<void>
  /** Sets (`on`) or clears a flag of a user, kept until cleared (up to {@link FLAG_LIFETIME}). */
  setUserFlag (userId: string, flag: string, on: boolean): Promise<void>
  /** Whether a user's flag is set. */
  userFlag (userId: string, flag: string): Promise<boolean>
}

/** Longest a user's flag is kept in a store whose records expire (the store's own record TTL applies). */
export const FLAG_LIFETIME = 400 * 24 * 60 * 60_000

/** The store keys of marks (session ids are base64url: no colon). */
const seenKey = (key: string): string => `goauth-seen:${key}`
const flagKey = (userId: string, flag: string): string => `goauth-flag:${flag}:${userId}`

/** A marker record as a @fastify/session store keeps one: its `cookie.expires` gives the store's TTL. */
const marker = (now: number, lifetime: number, fields: object): object => ({
  cookie: { originalMaxAge: lifetime, expires: new Date(now + lifetime).toISOString() },
  ...fields
})

/**
 * Marks in a store that only has get/set/destroy, as marker records with the store's TTL, as
 * tombstones are. `firstTime` reads then writes: two instances handed the same key at the same
 * moment may both see it first (what it guards must be harmless twice).
 */
export function storeMarks (store: StoreCalls, clock: Clock): Marks {
  return {
    async firstTime (key, ttl) {
      const known = await store.get(seenKey(key)) as { googleSeen?: unknown } | null
      if (typeof known?.googleSeen === 'number') return false
      await store.set(seenKey(key), marker(clock.now(), ttl, { googleSeen: clock.now() }))
      return true
    },
    forget: (key) => store.destroy(seenKey(key)),
    async setUserFlag (userId, flag, on) {
      if (on) await store.set(flagKey(userId, flag), marker(clock.now(), FLAG_LIFETIME, { googleFlag: true }))
      else await store.destroy(flagKey(userId, flag))
    },
    async userFlag (userId, flag) {
      return (await store.get(flagKey(userId, flag)) as { googleFlag?: unknown } | null)?.googleFlag === true
    }
  }
}

/** Marks in this process's memory: for the default store, and for a store that keeps none of its own. */
export function processMarks (clock: Pick<Clock, 'now'>): Marks {
  // At most 100,000; marks are few, so the cache grows as they are set.
  const seen = growingCache<string, true>(100_000, { ttlAutopurge: false, ttlResolution: 0, perf: { now: clock.now } })
  const flags = new Map<string, true>()
  return {
    async firstTime (key, ttl) {
      if (seen.has(key)) return false
      seen.set(key, true, { ttl })
      return true
    },
    async forget (key) { seen.delete(key) },
    async setUserFlag (userId, flag, on) {
      if (on) flags.set(flagKey(userId, flag), true)
      else flags.delete(flagKey(userId, flag))
    },
    userFlag: async (userId, flag) => flags.has(flagKey(userId, flag))
  }
}
