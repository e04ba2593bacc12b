import { LRUCache } from 'lru-cache'

/** A session as read from Redis: its record and the version it was read at. */
export interface Versioned<T> {
  value: T
  version: string
}

export interface NearCacheOptions {
  /** Most sessions kept. */
  max: number
  /** How long a copy is used before Redis is asked again (ms): a bound if an invalidation were ever missed. */
  ttl: number
  now: () => number
}

/**
 * A small cache of sessions in this process, kept coherent by the store's invalidation messages:
 * a sign-out, a token change or any write on any instance drops the copy everywhere. It is only
 * used while the subscription is up: when it drops, the cache is emptied and bypassed until it is
 * back, so a missed message can never keep a signed-out session alive. A read that was in flight
 * when its session was invalidated is not cached (Redis replies and messages travel on different
 * connections, in no guaranteed order).
 */
export class NearCache<T extends {}> {
  readonly #entries: LRUCache<string, Versioned<T>>
  /** Invalidation count at which each recently invalidated id was last invalidated. */
  readonly #invalidated: LRUCache<string, number>
  #count = 0
  /** The latest invalidation count of an id no longer remembered: a read begun before it may have missed it. */
  #forgotten = -1
  /** Bumped whenever the cache is emptied or the subscription (re)starts: reads started before are not cached. */
  #generation = 0
  #live = false

  constructor (options: NearCacheOptions) {
    this.#entries = new LRUCache({ max: options.max, ttl: options.ttl, perf: { now: options.now }, ttlResolution: 0 })
    this.#invalidated = new LRUCache({
      max: Math.max(1_000, options.max),
      dispose: (count, _id, reason) => { if (reason === 'evict') this.#forgotten = Math.max(this.#forgotten, count) }
    })
  }

  /** The subscription is up: copies may be used from now on (none read before: messages may have been missed). */
  up (): void {
    this.#live = true
    this.clear()
  }

  /** The subscription dropped: forget everything and stop using copies. */
  down (): void {
    this.#live = false
    this.clear()
  }

  clear (): void {
    this.#entries.clear()
    this.#generation++
  }

  get (id: string): Versioned<T> | undefined {
    return this.#live ? this.#entries.get(id) : undefined
  }

  /** A mark to give back to `store` when the read started now completes. */
  mark (): { count: number, generation: number } {
    return { count: this.#count, generation: this.#generation }
  }

  /**
   * Keeps a copy read from Redis, unless its id was invalidated (or the cache emptied, or the
   * subscription restarted) since `mark`, or an invalidation since then is no longer remembered.
   */
  store (id: string, entry: Versioned<T>, mark: { count: number, generation: number }): void {
    if (!this.#live || mark.generation !== this.#generation) return
    if (this.#forgotten >= mark.count) return
    if ((this.#invalidated.get(id) ?? -1) >= mark.count) return
    this.#entries.set(id, entry)
  }

  /** Drops ids (a message from any instance, this one included). */
  invalidate (ids: readonly string[]): void {
    for (const id of ids) {
      this.#invalidated.set(id, this.#count)
      this.#entries.delete(id)
    }
    this.#count++
  }
}
