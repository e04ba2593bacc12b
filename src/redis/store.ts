import type { Cluster, Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { randomToken } from '../crypto.js'
import { fail } from '../errors.js'
import { MAX_MS, show } from '../options/checks.js'
import type { BackendSettings, SessionBackend } from '../session/backend.js'
import { kSessionBackend } from '../session/backend.js'
import { deepFreeze } from '../session/deep-freeze.js'
import { TOMBSTONE_LIFETIME } from '../session/records.js'
import { isSessionRecord, type SessionRecord } from '../session/record.js'
import { REVOCATION_LIFETIME, Revocations } from '../session/revocations.js'
import type { GoogleTokens } from '../types.js'
import { fastifySessionInterface } from './fastify-session.js'
import { keyLayout } from './keys.js'
import { NearCache, type Versioned } from './near-cache.js'
import { storeChannel } from './channel.js'
import { CREATE, END, REVOKE, UNLOCK, UPDATE, type Script } from './scripts.js'

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Prefix of every key (and of the invalidation channel). Default `'goauth:'`. */
  prefix?: string | undefined
  /**
   * The cache of sessions in each process, kept coherent through Redis pub/sub (`false` for none):
   * at most `max` sessions (default 10 000), each used for at most `ttl` ms (default 5 000)
   * before Redis is asked again.
   */
  nearCache?: false | { max?: number | undefined, ttl?: number | undefined } | undefined
  /**
   * How long a sign-out waits for the other instances to confirm that they dropped their copies
   * (ms, default 1 000). Once it returns, a request to any instance that confirmed is refused; an
   * instance that did not (a network partition) stops using its copies within `nearCache.ttl`.
   */
  confirmTimeout?: number | undefined
}

type Client = Redis | Cluster

const invalid = (message: string) => fail('INVALID_OPTION', 'redis-store-option', message)
/** A whole number from 1 to what a timer holds (a longer delay fires at once; lru-cache refuses fractions). */
const wholeMs = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_MS

/**
 * A session store made for this plugin, on an ioredis client (`Redis` or `Cluster`) the app
 * creates and closes. Give it as the plugin's `store`:
 *
 * ```ts
 * import { redisStore } from 'fastify-google-oauth/redis'
 * await app.register(googleOAuth, { ...options, store: redisStore(new Redis(url, { enableOfflineQueue: false })) })
 * ```
 *
 * Every write is one atomic Lua script; sign-out leaves a tombstone every write checks; token
 * writes compare a version; an index of sessions by user gives `signOutEverywhere` and the
 * per-user cap; a near cache in each process, kept coherent through pub/sub, spares Redis the
 * read of most guarded requests; instances refresh a session's tokens once, under a lock.
 * It also has @fastify/session's `get`/`set`/`destroy`.
 */
export function redisStore (client: Client, options: RedisStoreOptions = {}) {
  if (typeof client !== 'object' || client === null || typeof (client as Redis).hmget !== 'function' || typeof (client as Redis).duplicate !== 'function') {
    throw invalid('redisStore(client): give an ioredis client (new Redis(url) or new Cluster(nodes)); the app creates and closes it.')
  }
  const prefix = options.prefix ?? 'goauth:'
  if (typeof prefix !== 'string' || /[{}\s]/.test(prefix)) throw invalid('redisStore: prefix must be a string without braces or spaces, e.g. \'myapp:sessions:\'.')
  const near = options.nearCache === false ? null : { max: options.nearCache?.max ?? 10_000, ttl: options.nearCache?.ttl ?? 5_000 }
  if (near !== null && (!Number.isInteger(near.max) || near.max < 1 || !wholeMs(near.ttl))) {
    throw invalid(`redisStore: nearCache.max must be a positive integer and nearCache.ttl a whole number of milliseconds from 1 to ${MAX_MS}, or nearCache: false (got ${show(options.nearCache)}).`)
  }
  const confirmWait = options.confirmTimeout ?? 1_000
  if (!wholeMs(confirmWait)) {
    throw invalid(`redisStore: confirmTimeout must be a whole number of milliseconds from 1 to ${MAX_MS} (got ${show(confirmWait)}).`)
  }

  const keys = keyLayout(prefix)

  /** Runs a script by its digest, loading it the first time Redis does not know it. */
  async function run (script: Script, keyList: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(script.sha, keyList.length, ...keyList, ...args)
    } catch (error) {
      if (!String((error as Error | null)?.message).startsWith('NOSCRIPT')) throw error
      return await client.eval(script.source, keyList.length, ...keyList, ...args)
    }
  }

  const parse = (json: unknown): SessionRecord | null => {
    if (typeof json !== 'string') return null
    try {
      const value: unknown = JSON.parse(json)
      // Read-only for the app: nothing a route changes in it can reach a later write.
      return isSessionRecord(value) ? deepFreeze(value) : null
    } catch {
      return null
    }
  }

  function backend (settings: BackendSettings): SessionBackend {
    const cache = near === null ? null : new NearCache<SessionRecord>({ ...near, now: settings.clock.now })
    const versions = new WeakMap<SessionRecord, string>()
    /** Ids this process ended recently. */
    const ended = new LRUCache<string, true>({ max: 10_000 })
    const forget = (id: string): void => { ended.set(id, true) }
    /** The lock of the refresh this process runs for a session, if any: its writes are fenced by it. */
    const holding = new Map<string, string>()
    // A refresh holds its lock longer than it can take (Google's calls, then the store's write).
    const lockMs = settings.refreshDeadline + 2 * settings.timeout

    /** A Redis call bounded by the store deadline: its failure is SESSION_STORE_UNAVAILABLE (503), never Redis's message. */
    async function call<T> (operation: string, work: () => Promise<T>): Promise<T> {
      let timer: unknown
      try {
        return await Promise.race([
          work(),
          new Promise<never>((_resolve, reject) => { timer = settings.clock.setTimeout(() => reject(fail('SESSION_STORE_UNAVAILABLE', `redis-${operation}-timeout`)), settings.timeout) })
        ])
      } catch (error) {
        if ((error as { code?: unknown }).code === 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE') throw error
        throw fail('SESSION_STORE_UNAVAILABLE', `redis-${operation}-failed`)
      } finally {
        settings.clock.clearTimeout(timer)
      }
    }

    const revocations = new Revocations({
      now: settings.clock.now,
      fetch: async (userId) => Number(await call('revoked', () => client.get(keys.revoked(userId)))) || 0,
      trustFor: near?.ttl ?? 5_000,
      live: false
    })

    const waiters = new Map<string, Set<() => void>>()
    const invalidate = (ids: readonly string[]): void => {
      cache?.invalidate(ids)
      for (const id of ids) for (const wake of waiters.get(id) ?? []) wake()
    }
    const channel = storeChannel(client, {
      channel: keys.channel,
      clock: settings.clock,
      onMessage (message) {
        if (Array.isArray(message.s)) invalidate(message.s)
        if (typeof message.u === 'string' && typeof message.t === 'number') revocations.learn(message.u, message.t)
      },
      onUp () {
        cache?.up()
        revocations.up()
      },
      onDown () {
        cache?.down()
        revocations.down()
      }
    })

    /** Waits until the instances that received a sign-out's message confirmed it (bounded). */
    async function confirmed (wait: (receivers: number) => Promise<number>, receivers: number): Promise<void> {
      const late = await wait(receivers)
      if (late > 0) settings.log.warn({ late, ms: confirmWait }, 'fastify-google-oauth: a sign-out was not confirmed in time by every instance; those may serve cached copies for at most the near cache\'s ttl')
    }

    /** The session as Redis has it now (never the near cache's copy). */
    async function readFresh (id: string): Promise<Versioned<SessionRecord> | null> {
      const mark = cache?.mark()
      const [version, json] = await call('read', () => client.hmget(keys.session(id), 'v', 'r'))
      const record = parse(json)
      if (record === null || typeof version !== 'string') return null
      versions.set(record, version)
      const entry = { value: record, version }
      if (cache !== null && mark !== undefined) cache.store(id, entry, mark)
      return entry
    }

    /** The session's tokens if another instance replaced them; REAUTH_REQUIRED if the session is gone meanwhile. */
    const changedTokens = (now: Versioned<SessionRecord> | null, previous: GoogleTokens): GoogleTokens | null => {
      if (now === null) throw fail('REAUTH_REQUIRED', 'refresh:session-ended')
      const tokens = now.value.googleTokens
      return tokens !== null && tokens.accessToken !== previous.accessToken ? tokens : null
    }

    /** Resolves when the session is invalidated (another instance wrote it), or after `ms`. */
    const changeOf = (id: string, ms: number): Promise<void> => new Promise((resolve) => {
      const set = waiters.get(id) ?? new Set()
      waiters.set(id, set)
      const wake = (): void => {
        settings.clock.clearTimeout(timer)
        set.delete(wake)
        if (set.size === 0) waiters.delete(id)
        resolve()
      }
      set.add(wake)
      const timer = settings.clock.setTimeout(wake, ms)
    })

    return {
      revocations,
      revokeEndsSessions: true,

      read (id, callback) {
        if (ended.has(id)) return callback(null, null, true)
        const copy = cache?.get(id)
        if (copy !== undefined) return callback(null, copy.value, false)
        readFresh(id).then((entry) => callback(null, entry?.value ?? null, true), (error: unknown) => callback(error, null, true))
      },

      isEnded: (id) => ended.has(id),

      newId: (userId) => keys.tagOf(userId) + randomToken(32),

      async create (id, record, admittedSince) {
        const userId = record.googleUser.id
        const result = await call('create', () => run(CREATE, [keys.session(id), keys.index(userId), keys.revoked(userId)], [
          JSON.stringify(record), Date.parse(record.cookie.expires), settings.clock.now(), settings.maxSessionsPerUser,
          keys.base(id), id, TOMBSTONE_LIFETIME, keys.channel, admittedSince ?? 0
        ])) as [number, ...string[]]
        if (result[0] === 0) throw fail('SIGN_IN_INTERRUPTED', 'revoked-during-sign-in')
        const evicted = result.slice(1) as string[]
        for (const other of evicted) forget(other)
        cache?.invalidate(evicted)
        versions.set(record, '1')
      },

      async update (id, change, known) {
        if (ended.has(id)) return null
        let current: Versioned<SessionRecord> | null = known !== undefined && versions.has(known)
          ? { value: known, version: versions.get(known)! }
          : await readFresh(id)
        // Made again from the newer version when another write got there first (a few times at most).
        for (let attempt = 0; attempt < 5 && current !== null; attempt++) {
          const next = change(current.value)
          if (next === null) return null
          const holder = holding.get(id)
          const result = await call('update', () => run(UPDATE, [keys.session(id), keys.tombstone(id), keys.lock(id)], [current!.version, JSON.stringify(next), keys.channel, JSON.stringify({ s: [id] }), holder ?? ''])) as [number, string?, string?]
          if (result[0] === 1) {
            versions.set(next, result[1]!)
            return next
          }
          if (result[0] === 0) {
            forget(id)
            return null
          }
          // The refresh's lock lapsed and another instance may hold it: this write could overwrite newer tokens.
          if (result[0] === 3) throw fail('SESSION_STORE_UNAVAILABLE', 'redis-lock-lost')
          const newer = parse(result[2])
          current = newer === null ? null : { value: newer, version: result[1]! }
          if (newer !== null) versions.set(newer, result[1]!)
        }
        if (current === null) return null
        // Still losing to other writes: a store that cannot take this write now, not a session that ended.
        throw fail('SESSION_STORE_UNAVAILABLE', 'redis-update-contended')
      },

      async end (id) {
        forget(id)
        cache?.invalidate([id])
        const ask = channel.confirmation(confirmWait)
        let receivers: number
        try {
          [, receivers] = await call('end', () => run(END, [keys.session(id), keys.tombstone(id)], [TOMBSTONE_LIFETIME, keys.channel, id, keys.base(id), JSON.stringify({ s: [id], o: ask.o, a: ask.a })])) as [number, number]
        } catch (error) {
          ask.cancel()
          // Not ended after all: a retry must find the session and end it again.
          ended.delete(id)
          throw error
        }
        await confirmed(ask.wait, receivers)
      },

      async revoke (userId) {
        const ask = channel.confirmation(confirmWait)
        let result: [number, string, number]
        try {
          result = await call('revoke', () => run(REVOKE, [keys.index(userId), keys.revoked(userId)], [
            keys.userBase(userId), TOMBSTONE_LIFETIME, keys.channel, settings.clock.now(), REVOCATION_LIFETIME, userId, ask.o, ask.a
          ])) as [number, string, number]
        } catch (error) {
          ask.cancel()
          throw error
        }
        // Known here at once (the message also reaches this process).
        revocations.learn(userId, Number(result[1]))
        await confirmed(ask.wait, result[2])
        return result[0]
      },

      async refreshOnce (id: string, previous: GoogleTokens, refresh: () => Promise<GoogleTokens>): Promise<GoogleTokens> {
        const deadline = settings.clock.now() + lockMs
        while (settings.clock.now() < deadline) {
          const holder = randomToken(16)
          if (await call('lock', () => client.set(keys.lock(id), holder, 'PX', lockMs, 'NX')) === 'OK') {
            holding.set(id, holder)
            try {
              // Another instance may have refreshed (or signed the session out) between this one's read and its lock.
              return changedTokens(await readFresh(id), previous) ?? await refresh()
            } finally {
              holding.delete(id)
              await call('unlock', () => run(UNLOCK, [keys.lock(id)], [holder])).catch(() => {})
            }
          }
          // Another instance is refreshing: wait for its tokens (or for its lock to go).
          await changeOf(id, 250)
          const changed = changedTokens(await readFresh(id), previous)
          if (changed !== null) return changed
        }
        throw fail('GOOGLE_TIMEOUT', 'refresh:lock-wait')
      },

      async close () {
        cache?.down()
        channel.close()
      }
    }
  }

  return {
    ...fastifySessionInterface(client, keys),
    [kSessionBackend]: backend
  }
}

export type GoogleOAuthRedisStore = ReturnType<typeof redisStore>
