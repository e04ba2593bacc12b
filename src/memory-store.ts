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

/**
 * The default session store: bounded (LRU), expiring (TTL), and storing JSON like a networked
 * store would, so that what works here works on Redis too. @fastify/session's own MemoryStore
 * never evicts anything and keeps live objects.
 */
export class BoundedMemoryStore implements SessionStore {
  readonly #cache: LRUCache<string, string>

  constructor (options: MemoryStoreOptions) {
    this.#cache = new LRUCache<string, string>({ max: options.maxSessions, ttl: options.ttl })
  }

  /** How many sessions are stored now. */
  get size (): number {
    return this.#cache.size
  }

  get (sessionId: string, callback: GetCallback): void {
    const value = this.#cache.get(sessionId)
    callback(null, value === undefined ? null : JSON.parse(value) as Session)
  }

  set (sessionId: string, session: Session, callback: Callback): void {
    this.#cache.set(sessionId, JSON.stringify(session))
    callback()
  }

  destroy (sessionId: string, callback: Callback): void {
    this.#cache.delete(sessionId)
    callback()
  }
}
