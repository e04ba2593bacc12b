import type { FastifyBaseLogger } from 'fastify'
import { randomToken } from '../crypto.js'
import type { Clock, SessionStoreLike } from '../options.js'
import type { GoogleTokens } from '../types.js'
import { isSessionSummary, type SessionRecord, type SessionSummary } from './record.js'
import { BoundedMemoryStore, kReadNow } from './memory-store.js'
import { processMarks, sessionRecords, storeMarks, type Marks, type SessionRecords } from './records.js'
import { REVOCATION_LIFETIME, Revocations } from './revocations.js'
import type { TokenSeal } from './sealed-tokens.js'
import { storeCalls } from './store.js'

/**
 * What the plugin's own sessions need from where they are kept. Any @fastify/session store gives
 * the generic backend (get/set/destroy, with tombstones when shared); a store made for the plugin
 * (`fastify-google-oauth/redis`) gives its own, with atomic writes, an index of sessions by user,
 * and one token refresh across instances.
 */
export interface SessionBackend extends SessionRecords {
  /**
   * Reads a session: a record, or null when there is none; an error when the store failed.
   * `answered` is false when no store call was made (a copy in memory): it says nothing of the
   * store's health.
   */
  read (id: string, callback: (error: unknown, value: unknown, answered: boolean) => void): void
  /** A new session id for a user (some backends keep a user's sessions together). */
  newId (userId: string): string
  /** When each user was last revoked, as every instance sharing the store knows it. */
  revocations: Revocations
  /**
   * Revokes a user: records the time in the store, ends every session of the user the store can
   * find, and returns how many. The plugin's Redis store answers once every instance confirmed (or
   * a bound passed); the generic backend at once (other instances read the time within seconds).
   */
  revoke (userId: string): Promise<number>
  /**
   * True when `revoke` ends every session of the user in the store, and a session made by an
   * admission that began before it is refused by the store: a session read from the store then
   * needs no revocation check of its own.
   */
  revokeEndsSessions: boolean
  /**
   * Makes the instances sharing the store refresh a session's tokens once: runs `refresh` (which
   * saves its result) while holding the session's lock, or waits for the instance holding it and
   * returns the tokens it saved. Absent: each process refreshes on its own.
   */
  refreshOnce?: (id: string, previous: GoogleTokens, refresh: () => Promise<GoogleTokens>) => Promise<GoogleTokens>
  /** Stops what it runs in the background (subscriptions); the store's connection is the app's. */
  close?: () => Promise<void>
  /**
   * True the first time `key` is seen by any instance sharing the store, remembering it for `ttl`
   * ms (a security event's id). Absent: this process remembers it (see `accountMarks`).
   * The plugin's Redis store: one key with a TTL, `SET key 1 NX PX ttl`.
   */
  firstTime?: Marks['firstTime']
  /** Forgets a key `firstTime` remembered. */
  forget?: Marks['forget']
  /** Sets or clears a flag of a user (an account Google disabled), for every instance; absent: this process keeps it. */
  setUserFlag?: Marks['setUserFlag']
  userFlag?: Marks['userFlag']
  /**
   * Drops the Google tokens of the sessions of a user, or of the sessions whose refresh token
   * `refreshToken` matches: they stay signed in, without Google access. Returns how many it
   * changed; absent, or null, when the store cannot find sessions by user or by token.
   */
  dropTokens?: (select: TokenSelector) => Promise<number | null>
  /**
   * The sessions of a user the store holds (any order; one that expired may still be listed).
   * Absent when the store cannot find sessions by user.
   */
  sessionsOf?: (userId: string) => Promise<ListedSession[]>
}

/** A session as a list of a user's sessions reads it: its id and what the list shows. */
export interface ListedSession {
  id: string
  record: SessionSummary
}

/** Whose Google tokens to drop: a user's, or the sessions holding a refresh token. */
export type TokenSelector = { userId: string } | { refreshToken: (token: string) => boolean }

/** What Cross-Account Protection keeps, from the backend where it keeps it, else from this process. */
export interface AccountMarks extends Marks {
  dropTokens (select: TokenSelector): Promise<number | null>
}

/** The backend's marks, each one it lacks kept in this process instead (a store that cannot share them). */
export function accountMarks (backend: SessionBackend, clock: Pick<Clock, 'now'>): AccountMarks {
  const local = processMarks(clock)
  const own = backend.firstTime !== undefined && backend.forget !== undefined
  const flags = backend.setUserFlag !== undefined && backend.userFlag !== undefined
  return {
    firstTime: own ? backend.firstTime! : local.firstTime,
    forget: own ? backend.forget! : local.forget,
    setUserFlag: flags ? backend.setUserFlag! : local.setUserFlag,
    userFlag: flags ? backend.userFlag! : local.userFlag,
    dropTokens: async (select) => backend.dropTokens === undefined ? null : await backend.dropTokens(select)
  }
}

/** What a backend is built with. */
export interface BackendSettings {
  /** Bound of one store call (ms). */
  timeout: number
  clock: Clock
  /** Most sessions one user may hold, where the backend can cap them. */
  maxSessionsPerUser: number
  /** Longest a token refresh can take (ms): calls to Google and their retry. */
  refreshDeadline: number
  log: FastifyBaseLogger
  /** Seals Google tokens before they reach the store (see `sealed-tokens.ts`). */
  seal: TokenSeal
  /** Whether sessions may be bound to a device (`deviceBound`): see SessionRecordsOptions. */
  deviceBound?: boolean
}

/** A store that brings its own backend (the plugin's Redis store). */
export const kSessionBackend: unique symbol = Symbol.for('fastify-google-oauth.sessionBackend')

export interface StoreWithBackend {
  [kSessionBackend]: (settings: BackendSettings) => SessionBackend
}

export const hasOwnBackend = (store: object): store is StoreWithBackend =>
  typeof (store as Partial<StoreWithBackend>)[kSessionBackend] === 'function'

/** The store key of a user's revocation in a store that only has get/set/destroy (session ids are base64url: no colon). */
const revocationKey = (userId: string): string => `goauth-revoked:${userId}`

/**
 * The backend over a @fastify/session store's get/set/destroy (or the default in-memory store).
 * A user's revocation is a record of the store too, read again at most every few seconds by each
 * instance; the default store keeps it in this process.
 */
export function genericBackend (store: SessionStoreLike, settings: BackendSettings): SessionBackend {
  const calls = storeCalls(store, settings.timeout, settings.clock)
  // A store in this process's memory is not shared: this process's own memory of ended sessions suffices.
  const inMemory = store instanceof BoundedMemoryStore
  const records = sessionRecords(calls, { shared: !inMemory, timeout: settings.timeout, clock: settings.clock, seal: settings.seal, deviceBound: settings.deviceBound === true })
  const revocations = new Revocations({
    now: settings.clock.now,
    fetch: inMemory
      ? undefined
      : async (userId) => {
        const at = (await calls.get(revocationKey(userId)) as { googleRevokedAt?: unknown } | null)?.googleRevokedAt
        return typeof at === 'number' ? at : 0
      }
  })
  /** Drops the Google tokens of the given sessions that `drop` selects; how many it changed. */
  async function dropTokensOf (ids: readonly string[], drop: (record: SessionRecord) => boolean): Promise<number> {
    let dropped = 0
    for (const id of ids) {
      const written = await records.update(id, (current) => current.googleTokens !== null && drop(current) ? { ...current, googleTokens: null } : null)
      if (written !== null) dropped++
    }
    return dropped
  }
  return {
    ...records,
    ...(inMemory ? processMarks(settings.clock) : storeMarks(calls, settings.clock)),
    // Only the default store can find sessions by user (its index) or by token (it holds them all).
    ...(inMemory && {
      dropTokens: async (select: TokenSelector) => 'userId' in select
        ? await dropTokensOf(store.sessionsOf(select.userId), () => true)
        : await dropTokensOf(store.indexedSessions(), (record) => typeof record.googleTokens?.refreshToken === 'string' && select.refreshToken(record.googleTokens.refreshToken))
    }),
    ...(inMemory && {
      async sessionsOf (userId: string): Promise<ListedSession[]> {
        const listed: ListedSession[] = []
        for (const id of store.sessionsOf(userId)) {
          const record = await calls.get(id)
          if (isSessionSummary(record) && record.googleUser.id === userId && !records.isEnded(id)) listed.push({ id, record })
        }
        return listed
      }
    }),
    // The default store itself (not a subclass) answers at once and cannot fail: no deadline to set.
    read: Object.getPrototypeOf(store) === BoundedMemoryStore.prototype
      ? (id, callback) => { callback(null, (store as BoundedMemoryStore)[kReadNow](id), true) }
      : (id, callback) => calls.getWithCallback(id, (error, value) => callback(error, value, true)),
    newId: () => randomToken(24),
    revocations,
    revokeEndsSessions: inMemory,
    async create (id, record, admittedSince) {
      await records.create(id, record, admittedSince)
      // The store's own cap is its to apply; the plugin's applies to any store it can count a user's sessions in.
      if (inMemory) {
        const ids = store.sessionsOf(record.googleUser.id)
        for (const old of ids.slice(0, Math.max(0, ids.length - settings.maxSessionsPerUser))) await records.end(old)
      }
    },
    async revoke (userId) {
      const known = await revocations.get(userId)
      const at = Math.max(settings.clock.now(), known)
      if (!inMemory) {
        await calls.set(revocationKey(userId), {
          cookie: { originalMaxAge: REVOCATION_LIFETIME, expires: new Date(at + REVOCATION_LIFETIME).toISOString() },
          googleRevokedAt: at
        })
      }
      revocations.learn(userId, at)
      // Only a store that indexes sessions by user can find them; elsewhere they are refused by their sign-in time.
      if (!inMemory) return 0
      const ids = store.sessionsOf(userId)
      for (const id of ids) await records.end(id)
      return ids.length
    }
  }
}
