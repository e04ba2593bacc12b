import type { FastifyBaseLogger } from 'fastify'
import { LRUCache } from 'lru-cache'
import { createSealedBox } from '../sign-in/sealed-box.js'
import type { GoogleTokens, SealedTokens } from '../types.js'
import { deepFreeze } from './deep-freeze.js'
import type { SessionRecord } from './record.js'

/** The HKDF label of the tokens' key: distinct from every other key derived from `secret`. */
const PURPOSE = 'fastify-google-oauth tokens v1'

/** Most opened tokens remembered, by their sealed text (stores that parse a fresh copy on each read). */
const OPENED_MAX = 10_000

/** Google tokens as a store holds them: sealed, or plain in a record written before tokens were sealed. */
export type StoredTokens = SealedTokens | GoogleTokens

/** A session record as a store holds it. A record with plain tokens (or none) is also a {@link SessionRecord}. */
export type StoredRecord = Omit<SessionRecord, 'googleTokens'> & { googleTokens: StoredTokens | null }

/** Why a session's tokens cannot be opened: sealed under a key no longer among the secrets, or changed. */
export type UnreadableReason = 'tokens-unknown-key' | 'tokens-unreadable'

export const isSealed = (tokens: unknown): tokens is SealedTokens =>
  typeof tokens === 'object' && tokens !== null && typeof (tokens as Partial<SealedTokens>).sealed === 'string'

const hasOpenTokens = (record: StoredRecord): record is SessionRecord => !isSealed(record.googleTokens)

const isTokens = (value: unknown): value is GoogleTokens => {
  const tokens = value as Partial<GoogleTokens> | null
  return typeof tokens === 'object' && tokens !== null && typeof tokens.accessToken === 'string' && typeof tokens.idToken === 'string'
}

/**
 * Google's tokens encrypted at rest: AES-256-GCM (the sign-in attempt cookie's sealed box) under a
 * key derived from `secret` with HKDF and a label of its own, bound to the user they belong to (a
 * sealed value copied into another user's record does not open). The first secret seals, every
 * secret opens, so rotating `secret` keeps every session working; a session's tokens are sealed
 * again under the current key at its next write (activity, refresh). Opening is remembered by
 * record and by sealed text, so a session read again costs no decryption.
 */
export interface TokenSeal {
  /** Sealed for `userId`, reusing the sealed value these tokens were opened from while its key is current. */
  seal (tokens: GoogleTokens, userId: string): SealedTokens
  /** The tokens (read-only), or why they cannot be opened (logged once per reason). */
  open (tokens: StoredTokens, userId: string): GoogleTokens | UnreadableReason
  /** True when the value needs sealing (again) at the next write: plain, or sealed under an older key. */
  stale (tokens: StoredTokens): boolean
  /** The record with its tokens opened (the record itself when it holds none sealed), or why it cannot be. */
  openRecord (record: StoredRecord): SessionRecord | UnreadableReason
  /** The record as a store must hold it: its tokens sealed. */
  sealRecord (record: SessionRecord): StoredRecord
}

export function tokenSeal (secrets: readonly string[], log: Pick<FastifyBaseLogger, 'warn'>): TokenSeal {
  const box = createSealedBox(secrets, PURPOSE)
  // A sealed value begins with its key's 4-byte id: its first 5 characters (30 of those bits) tell
  // the keys apart without decrypting (a collision only costs a failed decryption).
  const prefixes = secrets.map((secret) => createSealedBox([secret], PURPOSE).seal('', '').slice(0, 5))
  const current = prefixes[0]!
  const opened = new LRUCache<string, { userId: string, tokens: GoogleTokens }>({ max: OPENED_MAX })
  /** The sealed value (under the current key) each opened or sealed tokens object came from. */
  const sealedAs = new WeakMap<GoogleTokens, { userId: string, value: SealedTokens }>()
  const records = new WeakMap<StoredRecord, SessionRecord | UnreadableReason>()
  const bySealed = new WeakMap<SealedTokens, { userId: string, tokens: GoogleTokens }>()
  const warned = new Set<UnreadableReason>()

  function refuse (reason: UnreadableReason): UnreadableReason {
    if (!warned.has(reason)) {
      warned.add(reason)
      log.warn({ reason }, reason === 'tokens-unknown-key'
        ? 'fastify-google-oauth: a session\'s Google tokens are sealed with a key none of options.secret derives (a secret removed too early?); such sessions count as signed out'
        : 'fastify-google-oauth: a session\'s Google tokens failed their integrity check (changed in the store?); such sessions count as signed out')
    }
    return reason
  }

  function open (tokens: StoredTokens, userId: string): GoogleTokens | UnreadableReason {
    if (!isSealed(tokens)) return tokens
    const sealed = tokens.sealed
    const known = bySealed.get(tokens) ?? opened.get(sealed)
    if (known !== undefined && known.userId === userId) return known.tokens
    if (!prefixes.some((prefix) => sealed.startsWith(prefix))) return refuse('tokens-unknown-key')
    const text = box.open(sealed, userId)
    let value: unknown = null
    try {
      value = text === null ? null : JSON.parse(text)
    } catch {}
    if (!isTokens(value)) return refuse('tokens-unreadable')
    const plain = deepFreeze(value)
    opened.set(sealed, { userId, tokens: plain })
    bySealed.set(tokens, { userId, tokens: plain })
    if (sealed.startsWith(current)) sealedAs.set(plain, { userId, value: tokens })
    return plain
  }

  function seal (tokens: GoogleTokens, userId: string): SealedTokens {
    const known = sealedAs.get(tokens)
    if (known !== undefined && known.userId === userId) return known.value
    const value = Object.freeze({ sealed: box.seal(JSON.stringify(tokens), userId) })
    // What was just sealed opens from memory: the write's own read back costs no decryption.
    const plain = Object.isFrozen(tokens) ? tokens : deepFreeze({ ...tokens })
    opened.set(value.sealed, { userId, tokens: plain })
    sealedAs.set(plain, { userId, value })
    return value
  }

  return {
    seal,
    open,
    stale: (tokens) => !isSealed(tokens) || !tokens.sealed.startsWith(current),
    openRecord (record) {
      if (hasOpenTokens(record)) return record
      const known = records.get(record)
      if (known !== undefined) return known
      const tokens = open(record.googleTokens!, record.googleUser.id)
      const result = typeof tokens === 'string' ? tokens : deepFreeze({ ...record, googleTokens: tokens })
      records.set(record, result)
      return result
    },
    sealRecord: (record) => record.googleTokens === null
      ? record
      : { ...record, googleTokens: seal(record.googleTokens, record.googleUser.id) }
  }
}
