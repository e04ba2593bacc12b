import { pluginError } from '../errors.js'
import { growingCache } from '../growing-cache.js'
import type { BackendSettings } from '../session/backend.js'
import { deepFreeze } from '../session/deep-freeze.js'
import { isSessionRecord, type SessionRecord } from '../session/record.js'
import { TOMBSTONE_LIFETIME } from '../session/records.js'
import type { StoredRecord } from '../session/sealed-tokens.js'
import { REVOCATION_LIFETIME, type Revocations } from '../session/revocations.js'
import type { BoundedCall } from './calls.js'
import type { StoreClient } from './client.js'
import type { StoreChannel } from './channel.js'
import type { KeyLayout } from './keys.js'
import type { NearCache, Versioned } from './near-cache.js'
import type { Scripts } from './scripts.js'

export interface RedisRecordsOptions {
  client: StoreClient
  keys: KeyLayout
  scripts: Scripts
  call: BoundedCall
  /** This process's copies (as stored: tokens sealed), if any. */
  cache: NearCache<StoredRecord> | null
  channel: StoreChannel
  revocations: Revocations
  /** The lock of the refresh this process runs for a session, if any: its writes are fenced by it. */
  holding: ReadonlyMap<string, string>
  /** How long a sign-out waits for the other instances' confirmations (ms). */
  confirmWait: number
  settings: Pick<BackendSettings, 'clock' | 'maxSessionsPerUser' | 'log' | 'seal'>
}

const parse = (json: unknown): StoredRecord | null => {
  if (typeof json !== 'string') return null
  try {
    const value: unknown = JSON.parse(json)
    // Read-only for the app: nothing a route changes in it can reach a later write.
    return isSessionRecord(value) ? deepFreeze(value) : null
  } catch {
    return null
  }
}

/**
 * The store's reads and writes of sessions, each write one script (see `scripts.ts`). Records are
 * written with their Google tokens sealed, and read (and kept in the near cache) as stored: a
 * write's `change`, and `readFresh`, get them opened.
 */
export function redisRecords (options: RedisRecordsOptions) {
  const { client, keys, scripts, call, cache, channel, settings } = options
  /** The version each record was read or written at: a write names the version it was made from. */
  const versions = new WeakMap<StoredRecord, string>()
  /** Ids this process ended recently. */
  const ended = growingCache<string, true>(10_000)
  const forget = (id: string): void => { ended.set(id, true) }

  /** Waits until the listening instances confirmed a change's message (bounded): a sign-out's, or `what`. */
  async function confirmed (wait: () => Promise<string[] | null>, what = 'a sign-out'): Promise<void> {
    const late = await wait()
    if (late === null) settings.log.warn({ ms: options.confirmWait }, `fastify-google-oauth: the instances to confirm ${what} could not be read from Redis; any that did not hear of it may serve cached copies for at most the near cache's ttl`)
    else if (late.length > 0) settings.log.warn({ late: late.length, ms: options.confirmWait }, `fastify-google-oauth: ${what} was not confirmed in time by every instance; those may serve cached copies for at most the near cache's ttl`)
  }

  /** The session as Redis has it now (never the near cache's copy). */
  async function readFresh (id: string): Promise<Versioned<StoredRecord> | null> {
    const mark = cache?.mark()
    const [version, json] = await call('read', () => client.hmget(keys.session(id), ['v', 'r']))
    const record = parse(json)
    if (record === null || typeof version !== 'string') return null
    versions.set(record, version)
    const entry = { value: record, version }
    if (cache !== null && mark !== undefined) cache.store(id, entry, mark)
    return entry
  }

  /** Opened for a write's `change`; null when its tokens cannot be opened (it is not changed). */
  function opened (entry: Versioned<StoredRecord> | null): Versioned<SessionRecord> | null {
    if (entry === null) return null
    const value = settings.seal.openRecord(entry.value)
    return typeof value === 'string' ? null : { value, version: entry.version }
  }

  return {
    /** The session as Redis has it now, its tokens opened (null when they cannot be). */
    readFresh: async (id: string): Promise<Versioned<SessionRecord> | null> => opened(await readFresh(id)),

    read (id: string, callback: (error: unknown, value: unknown, answered: boolean) => void): void {
      if (ended.has(id)) return callback(null, null, true)
      const copy = cache?.get(id)
      if (copy !== undefined) return callback(null, copy.value, false)
      readFresh(id).then((entry) => callback(null, entry?.value ?? null, true), (error: unknown) => callback(error, null, true))
    },

    isEnded: (id: string): boolean => ended.has(id),

    async create (id: string, record: SessionRecord, admittedSince?: number): Promise<void> {
      const userId = record.googleUser.id
      const result = await call('create', () => scripts.create([keys.session(id), keys.index(userId), keys.revoked(userId)], [
        JSON.stringify(settings.seal.sealRecord(record)), Date.parse(record.cookie.expires), settings.clock.now(), settings.maxSessionsPerUser,
        keys.base(id), id, TOMBSTONE_LIFETIME, keys.channel, admittedSince ?? 0
      ])) as [number, ...string[]]
      if (result[0] === 0) throw pluginError('SIGN_IN_INTERRUPTED', 'revoked-during-sign-in')
      const evicted = result.slice(1) as string[]
      for (const other of evicted) forget(other)
      cache?.invalidate(evicted)
      versions.set(record, '1')
    },

    async update (id: string, change: (current: SessionRecord) => SessionRecord | null, known?: StoredRecord, confirm = false): Promise<SessionRecord | null> {
      if (ended.has(id)) return null
      let current: Versioned<SessionRecord> | null = opened(known !== undefined && versions.has(known)
        ? { value: known, version: versions.get(known)! }
        : await readFresh(id))
      // Made again from the newer version when another write got there first (a few times at most).
      for (let attempt = 0; attempt < 5 && current !== null; attempt++) {
        const next = change(current.value)
        if (next === null) return null
        const holder = options.holding.get(id)
        // Confirmed like a sign-out: every instance listed drops its copy before this resolves.
        const ask = confirm ? channel.confirmation(options.confirmWait) : null
        let result: [number, string?, string?]
        try {
          result = await call('update', () => scripts.update([keys.session(id), keys.tombstone(id), keys.lock(id)], [current!.version, JSON.stringify(settings.seal.sealRecord(next)), keys.channel, JSON.stringify({ s: [id], ...(ask !== null && { o: ask.o, a: ask.a }) }), holder ?? ''])) as [number, string?, string?]
        } catch (error) {
          ask?.cancel()
          throw error
        }
        if (result[0] !== 1) ask?.cancel()
        if (result[0] === 1) {
          versions.set(next, result[1]!)
          if (ask !== null) await confirmed(ask.wait, 'a change of a session')
          return next
        }
        if (result[0] === 0) {
          forget(id)
          return null
        }
        // The refresh's lock lapsed and another instance may hold it: this write could overwrite newer tokens.
        if (result[0] === 3) throw pluginError('SESSION_STORE_UNAVAILABLE', 'redis-lock-lost')
        const newer = parse(result[2])
        if (newer !== null) versions.set(newer, result[1]!)
        current = opened(newer === null ? null : { value: newer, version: result[1]! })
      }
      if (current === null) return null
      // Still losing to other writes: a store that cannot take this write now, not a session that ended.
      throw pluginError('SESSION_STORE_UNAVAILABLE', 'redis-update-contended')
    },

    async end (id: string): Promise<void> {
      forget(id)
      cache?.invalidate([id])
      const ask = channel.confirmation(options.confirmWait)
      try {
        await call('end', () => scripts.end([keys.session(id), keys.tombstone(id)], [TOMBSTONE_LIFETIME, keys.channel, id, keys.base(id), JSON.stringify({ s: [id], o: ask.o, a: ask.a })]))
      } catch (error) {
        ask.cancel()
        // Not ended after all: a retry must find the session and end it again.
        ended.delete(id)
        throw error
      }
      await confirmed(ask.wait)
    },

    async revoke (userId: string): Promise<number> {
      const ask = channel.confirmation(options.confirmWait)
      let result: [number, string]
      try {
        result = await call('revoke', () => scripts.revoke([keys.index(userId), keys.revoked(userId)], [
          keys.userBase(userId), TOMBSTONE_LIFETIME, keys.channel, settings.clock.now(), REVOCATION_LIFETIME, userId, ask.o, ask.a
        ])) as [number, string]
      } catch (error) {
        ask.cancel()
        throw error
      }
      // Known here at once (the message also reaches this process).
      options.revocations.learn(userId, Number(result[1]))
      await confirmed(ask.wait)
      return result[0]
    }
  }
}

export type RedisRecords = ReturnType<typeof redisRecords>
