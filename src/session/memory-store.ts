import type { SessionStore } from '@fastify/session'
import type { Session } from 'fastify'
import { LRUCache } from 'lru-cache'
import { pluginError } from '../errors.js'
import type { Clock } from '../options.js'
import { MAX_MS, show } from '../options/checks.js'
import { deepFreeze } from './deep-freeze.js'

/** Most sessions one user may hold, in this store and in the plugin's (its `maxSessionsPerUser` default). */
export const DEFAULT_MAX_SESSIONS_PER_USER = 10

export interface MemoryStoreOptions {
  /** Most sessions kept (a positive integer); the least recently used go first. */
  maxSessions: number
  /** A session not written for this long (ms, a whole number from 1 to 2147483647) is dropped. */
  ttl: number
  /**
   * Most sessions one signed-in user may hold (a session's user is its `googleUser.id`); when one
   * more is written, that user's oldest go first, so that one account cannot push everybody else
   * out of the store. A positive integer, or `Infinity` for no limit. Default: 10, as in the
   * plugin's own default store.
   */
  maxSessionsPerUser?: number
  /** The time entries expire by, and the timer that purges them. Default: the system clock. */
  clock?: Pick<Clock, 'now' | 'setTimeout'>
  /** Called with each session dropped because it expired (on a read or by the regular purge). */
  onExpire?: (session: object) => void
}

/** The plugin's own synchronous read (not part of the store interface). */
export const kReadNow = Symbol('fastify-google-oauth.readNow')

type Callback = (error?: unknown) => void
type GetCallback = (error: unknown, session?: Session | null) => void

const positiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1

/** Refuses options the store cannot work with, saying which one and what it needs. */
function checkOptions (options: MemoryStoreOptions): void {
  const refuse = (name: string, needs: string, value: unknown) =>
    pluginError('INVALID_OPTION', `memory-store:${name}`, `new BoundedMemoryStore({ ${name} }): ${name} must be ${needs} (got ${show(value)}).`)
  if (typeof options !== 'object' || options === null) {
    throw pluginError('INVALID_OPTION', 'memory-store:options', `new BoundedMemoryStore(options): options must be an object such as { maxSessions: 10000, ttl: 86400000 } (got ${show(options)}).`)
  }
  const { maxSessions, ttl, maxSessionsPerUser } = options
  if (!positiveInteger(maxSessions)) throw refuse('maxSessions', 'a positive integer', maxSessions)
  if (!positiveInteger(ttl) || ttl > MAX_MS) throw refuse('ttl', `a whole number of milliseconds from 1 to ${MAX_MS}`, ttl)
  if (maxSessionsPerUser !== undefined && maxSessionsPerUser !== Infinity && !positiveInteger(maxSessionsPerUser)) {
    throw refuse('maxSessionsPerUser', 'a positive integer, or Infinity for no per-user limit', maxSessionsPerUser)
  }
}

/** The signed-in user a stored session belongs to, if it is one of the plugin's. */
function userOf (session: object): string | undefined {
  const user = (session as { googleUser?: { id?: unknown } }).googleUser
  return typeof user?.id === 'string' ? user.id : undefined
}

/**
 * Drops expired sessions from memory, not only from reads. The timer holds the cache weakly (and is
 * made outside the store's constructor, whose closures would share `this` with it), so a store
 * nobody uses any more is still collected.
 */
function purgeRegularly (cache: LRUCache<string, object>, every: number, clock: Pick<Clock, 'setTimeout'>): void {
  const weak = new WeakRef(cache)
  const purge = (): void => {
    const live = weak.deref()
    if (live === undefined) return
    live.purgeStale()
    clock.setTimeout(purge, every)
  }
  clock.setTimeout(purge, every)
}

const SYSTEM_TIMERS: Pick<Clock, 'now' | 'setTimeout'> = {
  now: Date.now,
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref()
}

/**
 * The default session store: bounded (LRU), expiring (TTL), and keeping what a networked store
 * would give back: each write is copied through JSON (a Date comes back a string, as from Redis)
 * and frozen, so reads cost no parsing and nobody can change a stored session in place.
 * It also indexes sessions by user, for a per-user cap (10 sessions unless told otherwise) and for
 * ending all of a user's sessions.
 * @fastify/session's own MemoryStore never evicts anything and keeps live objects.
 */
export class BoundedMemoryStore implements SessionStore {
  readonly #cache: LRUCache<string, object>
  readonly #maxPerUser: number
  /** Session ids of each user, oldest first. */
  readonly #byUser = new Map<string, Set<string>>()
  /** The user of each indexed session id. */
  readonly #userOfId = new Map<string, string>()

  /** @throws FST_GOOGLE_OAUTH_INVALID_OPTION when an option is missing or out of range. */
  constructor (options: MemoryStoreOptions) {
    checkOptions(options)
    this.#maxPerUser = options.maxSessionsPerUser ?? DEFAULT_MAX_SESSIONS_PER_USER
    const clock = options.clock ?? SYSTEM_TIMERS
    const cache = new LRUCache<string, object>({
      max: options.maxSessions,
      ttl: options.ttl,
      perf: { now: clock.now },
      // Read the clock on every check (by default lru-cache keeps a reading for 1 ms of real time).
      ttlResolution: 0,
      noDisposeOnSet: true,
      // Evicted, expired or deleted: the session leaves its user's index too.
      dispose: (value, id, reason) => {
        this.#unindex(id)
        if (reason === 'expire') options.onExpire?.(value)
      }
    })
    this.#cache = cache
    purgeRegularly(cache, Math.min(options.ttl, 60_000), clock)
  }

  /** How many sessions are stored now. */
  get size (): number {
    return this.#cache.size
  }

  get (sessionId: string, callback: GetCallback): void {
    callback(null, this[kReadNow](sessionId) as Session | null)
  }

  /** The stored session, or null: at once, without a callback (the plugin's read on every request). */
  [kReadNow] (sessionId: string): object | null {
    return this.#cache.get(sessionId) ?? null
  }

  set (sessionId: string, session: Session, callback: Callback): void {
    const copy = deepFreeze(JSON.parse(JSON.stringify(session)) as object)
    const user = userOf(copy)
    if (this.#userOfId.get(sessionId) !== user) this.#unindex(sessionId)
    this.#cache.set(sessionId, copy)
    if (user !== undefined && this.#cache.has(sessionId)) this.#index(sessionId, user)
    callback()
  }

  destroy (sessionId: string, callback: Callback): void {
    this.#cache.delete(sessionId)
    callback()
  }

  /** The ids of a user's stored sessions, oldest first. */
  sessionsOf (userId: string): string[] {
    return [...(this.#byUser.get(userId) ?? [])]
  }

  /** The ids of every stored session of a signed-in user, oldest first by user. */
  indexedSessions (): string[] {
    return [...this.#userOfId.keys()]
  }

  /** Ends every stored session of a user; returns how many there were. */
  destroyAllOf (userId: string): number {
    const ids = this.sessionsOf(userId)
    for (const id of ids) this.#cache.delete(id)
    return ids.length
  }

  #index (sessionId: string, user: string): void {
    let ids = this.#byUser.get(user)
    if (ids === undefined) {
      ids = new Set()
      this.#byUser.set(user, ids)
    }
    if (ids.has(sessionId)) return
    ids.add(sessionId)
    this.#userOfId.set(sessionId, user)
    while (ids.size > this.#maxPerUser) {
      const oldest = ids.values().next().value as string
      this.#cache.delete(oldest)
      // (deleting it unindexes it; an id the cache no longer held is unindexed here)
      this.#unindex(oldest)
    }
  }

  #unindex (sessionId: string): void {
    const user = this.#userOfId.get(sessionId)
    if (user === undefined) return
    this.#userOfId.delete(sessionId)
    const ids = this.#byUser.get(user)
    ids?.delete(sessionId)
    if (ids?.size === 0) this.#byUser.delete(user)
  }
}
