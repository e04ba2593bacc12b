import { ExpiringMap } from './expiring-map.js'

/**
 * How long a user's revocation is remembered: longer than any credential issued before it can be
 * used (a Google ID token lives at most 24 h, plus the clock skew allowed) and than any admission
 * in flight.
 */
export const REVOCATION_LIFETIME = 25 * 60 * 60_000

/** What an admission (a Bearer verification, a redirect or One Tap callback) began under. */
export interface AdmissionTicket {
  /** Epoch ms (the plugin's clock) when it began. */
  readonly startedAt: number
  /** How many revocations this process had learned when it began. */
  readonly seq: number
}

export interface RevocationsOptions {
  now: () => number
  /**
   * Reads a user's revocation time from the shared store (0: none). Absent when this process is
   * the only one that can revoke (the default in-memory store, the app's own sessions).
   */
  fetch?: ((userId: string) => Promise<number>) | undefined
  /**
   * How long a fetched value is trusted (ms) without the store telling of a newer one: the bound on
   * how stale an instance that missed a message (a partition) can be.
   */
  trustFor?: number | undefined
  /** Whether the channel that tells of revocations is up at first (a store without one: always). */
  live?: boolean | undefined
}

interface Known {
  at: number
  /** The channel generation it was learned or fetched in. */
  generation: number
}

/**
 * One revocation time per user: "signed out everywhere at T". Every admission checks it: a session
 * signed in before T, a Bearer token issued before T, and an admission that began before T are
 * refused. This process learns of revocations from its own calls and, with a shared store, from
 * the store's messages; what it cannot vouch for (not heard of while the channel was up, or
 * fetched too long ago) is read from the store again.
 */
export class Revocations {
  readonly #now: () => number
  readonly #fetch: ((userId: string) => Promise<number>) | undefined
  /** What this process knows; with a shared store, only while the channel is up and for `trustFor` ms. */
  readonly #known: ExpiringMap<string, Known>
  /** Revocations learned, with the sequence number they were learned at (for admissions in flight). */
  readonly #learned: ExpiringMap<string, number>
  readonly #listeners: Array<(userId: string, at: number) => void> = []
  #seq = 0
  #generation = 0
  #live: boolean

  constructor (options: RevocationsOptions) {
    this.#now = options.now
    this.#fetch = options.fetch
    this.#live = options.live ?? true
    const { now } = options
    this.#known = this.#fetch === undefined
      ? new ExpiringMap({ max: 1_000_000, ttl: REVOCATION_LIFETIME, now })
      : new ExpiringMap({ max: 100_000, ttl: options.trustFor ?? 5_000, now })
    this.#learned = new ExpiringMap({ max: 100_000, ttl: REVOCATION_LIFETIME, now })
  }

  /** Called with every revocation this process learns of (to drop what it cached for the user). */
  onRevoked (listener: (userId: string, at: number) => void): void {
    this.#listeners.push(listener)
  }

  /** Marks the start of an admission. */
  begin (): AdmissionTicket {
    return { startedAt: this.#now(), seq: this.#seq }
  }

  /** This process learned that `userId` was revoked at `at` (its own call, or the store's message). */
  learn (userId: string, at: number): void {
    this.#seq++
    this.#learned.set(userId, this.#seq)
    const before = this.#known.get(userId)
    this.#known.set(userId, { at: Math.max(at, before?.at ?? 0), generation: this.#generation })
    for (const listener of this.#listeners) listener(userId, at)
  }

  /** The user's revocation time (0: none) when this process can vouch for it without asking the store. */
  known (userId: string): number | undefined {
    // Nobody revoked in this process's memory (the usual case): no lookup.
    if (this.#fetch === undefined && this.#known.size === 0) return 0
    const entry = this.#known.get(userId)
    if (this.#fetch === undefined) return entry?.at ?? 0
    if (!this.#live || entry === undefined || entry.generation !== this.#generation) return undefined
    return entry.at
  }

  /** The user's revocation time (0: none): at once when known, else read from the store. */
  get (userId: string): number | Promise<number> {
    return this.known(userId) ?? this.#read(userId)
  }

  async #read (userId: string): Promise<number> {
    const generation = this.#generation
    const at = await this.#fetch!(userId)
    const now = this.#known.get(userId)
    const newest = Math.max(at, now?.at ?? 0)
    // Kept only if no message can have been missed while it was read.
    if (this.#live && generation === this.#generation) this.#known.set(userId, { at: newest, generation })
    return newest
  }

  /**
   * True when an admission of `userId` that began with `ticket` must be refused: a revocation of
   * the user was learned since, or is known to be no older than the admission.
   */
  interrupted (ticket: AdmissionTicket, userId: string): boolean {
    const learnedAt = this.#learned.get(userId)
    if (learnedAt !== undefined && learnedAt > ticket.seq) return true
    const at = this.#known.get(userId)?.at
    return at !== undefined && at >= ticket.startedAt
  }

  /** The channel is up: from now on, what it tells is trusted (nothing from before). */
  up (): void {
    this.#generation++
    this.#live = true
  }

  /** The channel dropped: nothing known is trusted until it is back. */
  down (): void {
    this.#generation++
    this.#live = false
  }
}

/** Whether a credential issued or signed in at `issuedAt` (epoch ms) predates the user's revocation at `revokedAt`. */
export const revokedBefore = (issuedAt: number, revokedAt: number): boolean => revokedAt > 0 && issuedAt <= revokedAt
