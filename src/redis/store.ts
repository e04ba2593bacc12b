import type { Cluster, Redis } from 'ioredis'
import { randomToken } from '../crypto.js'
import { fail } from '../errors.js'
import type { BackendSettings, SessionBackend } from '../session/backend.js'
import { kSessionBackend } from '../session/backend.js'
import { TOMBSTONE_LIFETIME } from '../session/records.js'
import { isSessionRecord, type SessionRecord } from '../session/record.js'
import type { GoogleTokens } from '../types.js'
import { fastifySessionInterface } from './fastify-session.js'
import { keyLayout } from './keys.js'
import { NearCache, type Versioned } from './near-cache.js'
import { CREATE, END, END_ALL, UNLOCK, UPDATE, type Script } from './scripts.js'

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
}

type Client = Redis | Cluster

/** How long a token refresh may hold its session's lock (Google's calls are bounded well below). */
const LOCK_MS = 15_000
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
    throw new TypeError('redisStore(client): give an ioredis client (new Redis(url) or new Cluster(nodes)); the app creates and closes it')
  }
  const prefix = options.prefix ?? 'goauth:'
  if (typeof prefix !== 'string' || /[{}\s]/.test(prefix)) throw new TypeError('redisStore: prefix must be a string without braces or spaces, e.g. \'myapp:sessions:\'')
  const near = options.nearCache === false ? null : { max: options.nearCache?.max ?? 10_000, ttl: options.nearCache?.ttl ?? 5_000 }
  if (near !== null && (!(near.max > 0) || !(near.ttl > 0))) throw new TypeError('redisStore: nearCache.max and nearCache.ttl must be positive numbers, or nearCache: false')

  const keys = keyLayout(prefix)
  const channel = keys.channel

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
      return isSessionRecord(value) ? value : null
    } catch {
      return null
    }
  }

  function backend (settings: BackendSettings): SessionBackend {
    const cache = near === null ? null : new NearCache<SessionRecord>({ ...near, now: settings.clock.now })
    const versions = new WeakMap<SessionRecord, string>()
    /** Ids this process ended recently. */
    const ended = new Set<string>()
    const forget = (id: string): void => {
      ended.add(id)
      if (ended.size > 10_000) ended.delete(ended.values().next().value!)
    }

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

    // The invalidation channel, on a connection of its own (a subscribed connection can do nothing else).
    let subscriber: Client | null = null
    const waiters = new Map<string, Set<() => void>>()
    if (cache !== null) {
      // It subscribes again itself on every 'ready' (ioredis's own resubscription would be a second
      // one, whose failure during a reconnect nobody could handle).
      subscriber = client.isCluster ? client.duplicate() : (client as Redis).duplicate({ autoResubscribe: false })
      const sub = subscriber
      sub.on('error', () => {})
      sub.on('message', (_channel: string, message: string) => {
        const ids = message.split(' ')
        cache.invalidate(ids)
        for (const id of ids) for (const wake of waiters.get(id) ?? []) wake()
      })
      for (const event of ['close', 'end', 'reconnecting'] as const) sub.on(event, () => cache.down())
      const subscribe = (): void => {
        sub.subscribe(channel).then(() => { if (sub.status === 'ready') cache.up() }, () => cache.down())
      }
      sub.on('ready', subscribe)
      if (sub.status === 'ready') subscribe()
      else if (sub.status === 'wait') sub.connect().catch(() => {})
    }

    /** The session's tokens if another instance replaced them; REAUTH_REQUIRED if the session is gone meanwhile. */
    const changedTokens = (now: Versioned<SessionRecord> | null, previous: GoogleTokens): GoogleTokens | null => {
      if (now === null) throw fail('REAUTH_REQUIRED', 'refresh:session-ended')
      return now.value.googleTokens.accessToken !== previous.accessToken ? now.value.googleTokens : null
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

      read (id, callback) {
        if (ended.has(id)) return callback(null, null)
        const copy = cache?.get(id)
        if (copy !== undefined) return callback(null, copy.value)
        readFresh(id).then((entry) => callback(null, entry?.value ?? null), (error: unknown) => callback(error, null))
      },

      isEnded: (id) => ended.has(id),

      newId: (userId) => keys.tagOf(userId) + randomToken(32),

      async create (id, record) {
        const evicted = await call('create', () => run(CREATE, [keys.session(id), keys.index(record.googleUser.id)], [
          JSON.stringify(record), Date.parse(record.cookie.expires), settings.clock.now(), settings.maxSessionsPerUser,
          keys.base(id), id, TOMBSTONE_LIFETIME, channel
        ])) as string[]
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
          const result = await call('update', () => run(UPDATE, [keys.session(id), keys.tombstone(id)], [current!.version, JSON.stringify(next), channel, id])) as [number, string?, string?]
          if (result[0] === 1) {
            versions.set(next, result[1]!)
            return next
          }
          if (result[0] === 0) {
            forget(id)
            return null
          }
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
        try {
          await call('end', () => run(END, [keys.session(id), keys.tombstone(id)], [TOMBSTONE_LIFETIME, channel, id, keys.base(id)]))
        } catch (error) {
          // Not ended after all: a retry must find the session and end it again.
          ended.delete(id)
          throw error
        }
      },

      async endAllOf (userId) {
        const ended = await call('end-all', () => run(END_ALL, [keys.index(userId)], [keys.userBase(userId), TOMBSTONE_LIFETIME, channel])) as number
        // This process's copies go at once (the message also reaches it).
        cache?.clear()
        return ended
      },

      async refreshOnce (id: string, previous: GoogleTokens, refresh: () => Promise<GoogleTokens>): Promise<GoogleTokens> {
        const deadline = settings.clock.now() + LOCK_MS
        while (settings.clock.now() < deadline) {
          const holder = randomToken(16)
          if (await call('lock', () => client.set(keys.lock(id), holder, 'PX', LOCK_MS, 'NX')) === 'OK') {
            try {
              // Another instance may have refreshed (or signed the session out) between this one's read and its lock.
              return changedTokens(await readFresh(id), previous) ?? await refresh()
            } finally {
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
        subscriber?.disconnect()
      }
    }
  }

  return {
    ...fastifySessionInterface(client, keys),
    [kSessionBackend]: backend
  }
}

export type GoogleOAuthRedisStore = ReturnType<typeof redisStore>
