import type { SessionStore } from '@fastify/session'
import type { Session } from 'fastify'
import { LRUCache } from 'lru-cache'

export interface MemoryStoreOptions {
  /** Most sessions kept; the least recently used go first. */
  maxSessions: number
  /** A session not written for this long (ms) is dropped. */
  ttl: number
}

type Callback = (error?: unknown) => void
type GetCallback = (error: unknown, session?: Session | null) => void

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/**
 * The default session store: bounded (LRU), expiring (TTL), and keeping what a networked store
 * would give back: each write is copied through JSON (a Date comes back a string, as from Redis)
 * and frozen, so reads cost no parsing and nobody can change a stored session in place.
 * @fastify/session's own MemoryStore never evicts anything and keeps live objects.
 */
export class BoundedMemoryStore implements SessionStore {
  readonly #cache: LRUCache<string, object>

  constructor (options: MemoryStoreOptions) {
    const cache = new LRUCache<string, object>({ max: options.maxSessions, ttl: options.ttl })
    this.#cache = cache
    // Expired sessions are dropped from memory, not only hidden from reads. The timer holds the
    // cache weakly, so a store nobody uses any more is still collected.
    const weak = new WeakRef(cache)
    const timer: NodeJS.Timeout = setInterval(() => {
      const live = weak.deref()
      if (live === undefined) clearInterval(timer)
      else live.purgeStale()
    }, Math.min(options.ttl, 60_000))
    timer.unref()
  }

  /** How many sessions are stored now. */
  get size (): number {
    return this.#cache.size
  }

  get (sessionId: string, callback: GetCallback): void {
    callback(null, (this.#cache.get(sessionId) ?? null) as Session | null)
  }

  set (sessionId: string, session: Session, callback: Callback): void {
    this.#cache.set(sessionId, deepFreeze(JSON.parse(JSON.stringify(session)) as object))
    callback()
  }

  destroy (sessionId: string, callback: Callback): void {
    this.#cache.delete(sessionId)
    callback()
  }
}
