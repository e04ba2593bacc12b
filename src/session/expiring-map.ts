export interface ExpiringMapOptions {
  /** How long an entry lives after it was last set (ms). */
  ttl: number
  /** Most entries kept; past it, the oldest go first. */
  max: number
  now: () => number
}

/**
 * A map whose entries expire `ttl` ms after they were last set, holding at most `max`. Unlike
 * lru-cache, which allocates room for `max` entries up front (40 MB for a million), it holds only
 * what was set: for records that are rare but must be kept long (revocations).
 */
export class ExpiringMap<K, V> {
  readonly #entries = new Map<K, { value: V, expiresAt: number }>()
  readonly #options: ExpiringMapOptions

  constructor (options: ExpiringMapOptions) {
    this.#options = options
  }

  /** Entries held, some of them possibly expired and not dropped yet. */
  get size (): number {
    return this.#entries.size
  }

  get (key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt > this.#options.now()) return entry.value
    this.#entries.delete(key)
    return undefined
  }

  set (key: K, value: V): void {
    // Set again, an entry moves to the end: the map stays in order of expiry (one ttl for all).
    const now = this.#options.now()
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: now + this.#options.ttl })
    for (const [oldest, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size <= this.#options.max) break
      this.#entries.delete(oldest)
    }
  }
}
