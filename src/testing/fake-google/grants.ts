import { randomBytes } from 'node:crypto'
import type { Account } from './options.js'
import { unionScopes, type GrantedScopes } from './scopes.js'

/** Google's authorization codes live 10 minutes. */
const CODE_LIFETIME_MS = 10 * 60 * 1000

/** What an account consented to, bound to an authorization code. */
export interface Consent {
  clientId: string
  redirectUri: string
  account: Account
  scopes: GrantedScopes
  nonce?: string
  codeChallenge?: string
  codeChallengeMethod?: 'S256' | 'plain'
  accessType: 'online' | 'offline'
  /** The `prompt` values of the authorization request. */
  prompt: string[]
  /** Claims that replace or add to the ID token's (see `issueCodeFor`). */
  claims?: Record<string, unknown>
}

interface CodeRecord extends Consent {
  issuedAt: number
  used: boolean
  /** Tokens issued from this code, revoked if the code is replayed. */
  tokens: string[]
}

/** An issued token and whom it belongs to. */
export interface TokenRecord {
  kind: 'access' | 'refresh'
  clientId: string
  account: Account
  scopes: GrantedScopes
  /** Access tokens only. */
  expiresAt?: number
  revoked: boolean
}

/** Outcome of redeeming a code. */
export type Redemption =
  | { ok: true; consent: Consent; code: string }
  | { ok: false; reason: 'unknown' | 'reused' | 'expired' }

const random = (bytes: number): string => randomBytes(bytes).toString('base64url')

/** Codes, tokens and consents of one fake, with Google's lifetimes and revocation rules. */
export class Grants {
  readonly #codes = new Map<string, CodeRecord>()
  readonly #tokens = new Map<string, TokenRecord>()
  /** `clientId\nsub` of accounts holding a live refresh token for a client. */
  readonly #offline = new Set<string>()
  /** What each account granted each client so far (`clientId\nsub`): the union of its consents. */
  readonly #granted = new Map<string, GrantedScopes>()
  readonly #now: () => number

  constructor (now: () => number) {
    this.#now = now
  }

  /**
   * The scopes the account granted the client so far, or undefined when it never consented (or
   * the grant was revoked). Google skips the consent screen for scopes in it.
   */
  grantedScopes (clientId: string, sub: string): GrantedScopes | undefined {
    return this.#granted.get(`${clientId}\n${sub}`)
  }

  /** Adds scopes to what the account granted the client. */
  recordConsent (clientId: string, sub: string, scopes: GrantedScopes): void {
    const key = `${clientId}\n${sub}`
    const earlier = this.#granted.get(key)
    this.#granted.set(key, earlier === undefined ? scopes : unionScopes(earlier, scopes))
  }

  /** Binds a consent to a new authorization code, `4/0A…` like Google's. */
  issueCode (consent: Consent): string {
    const code = `4/0A${random(54)}`
    this.#codes.set(code, { ...consent, issuedAt: this.#now(), used: false, tokens: [] })
    return code
  }

  /**
   * Redeems a code once. A replayed code fails and, as RFC 6749 §4.1.2 recommends, revokes the
   * tokens issued from it. A code older than 10 minutes fails.
   */
  redeemCode (code: string): Redemption {
    const record = this.#codes.get(code)
    if (record === undefined) return { ok: false, reason: 'unknown' }
    if (record.used) {
      for (const token of record.tokens) this.#revokeOne(token)
      return { ok: false, reason: 'reused' }
    }
    record.used = true
    if (this.#now() - record.issuedAt > CODE_LIFETIME_MS) return { ok: false, reason: 'expired' }
    return { ok: true, consent: record, code }
  }

  /**
   * Whether the exchange of this consent's code yields a refresh token: only with
   * `access_type=offline`, and when the account already holds one for this client only with `prompt=consent`.
   */
  grantsRefreshToken (consent: Consent): boolean {
    if (consent.accessType !== 'offline') return false
    return !this.#offline.has(`${consent.clientId}\n${consent.account.sub}`) || consent.prompt.includes('consent')
  }

  /** Issues an access token (`ya29.…`) living `lifetimeSeconds`, remembered against `code` if given. */
  issueAccessToken (consent: Pick<Consent, 'clientId' | 'account' | 'scopes'>, lifetimeSeconds: number, code?: string): string {
    const token = `ya29.a0${random(120)}`
    this.#tokens.set(token, {
      kind: 'access',
      clientId: consent.clientId,
      account: consent.account,
      scopes: consent.scopes,
      expiresAt: this.#now() + lifetimeSeconds * 1000,
      revoked: false
    })
    if (code !== undefined) this.#codes.get(code)?.tokens.push(token)
    return token
  }

  /** Issues a refresh token (`1//0…`), remembered against `code`. */
  issueRefreshToken (consent: Consent, code: string): string {
    const token = `1//0${random(75)}`
    this.#tokens.set(token, { kind: 'refresh', clientId: consent.clientId, account: consent.account, scopes: consent.scopes, revoked: false })
    this.#offline.add(`${consent.clientId}\n${consent.account.sub}`)
    this.#codes.get(code)?.tokens.push(token)
    return token
  }

  /** A live access token's record, or undefined if unknown, expired or revoked. */
  accessToken (token: string): TokenRecord | undefined {
    const record = this.#tokens.get(token)
    if (record?.kind !== 'access' || record.revoked || record.expiresAt! <= this.#now()) return undefined
    return record
  }

  /** A live refresh token's record, or undefined if unknown or revoked. */
  refreshToken (token: string): TokenRecord | undefined {
    const record = this.#tokens.get(token)
    if (record?.kind !== 'refresh' || record.revoked) return undefined
    return record
  }

  /**
   * Revokes a token as Google's revocation endpoint does: the whole grant of that client and
   * account goes (every access and refresh token) and its consent (the scopes granted) is forgotten.
   * Returns false for an unknown, expired or already revoked token.
   */
  revoke (token: string): boolean {
    const record = this.accessToken(token) ?? this.refreshToken(token)
    if (record === undefined) return false
    const key = `${record.clientId}\n${record.account.sub}`
    for (const other of this.#tokens.values()) {
      if (other.clientId === record.clientId && other.account.sub === record.account.sub) other.revoked = true
    }
    this.#offline.delete(key)
    this.#granted.delete(key)
    return true
  }

  /** The live refresh tokens an account holds (any client), newest last. */
  liveRefreshTokens (sub: string): string[] {
    return [...this.#tokens].filter(([, record]) => record.kind === 'refresh' && !record.revoked && record.account.sub === sub).map(([token]) => token)
  }

  /** Revokes every grant of an account (every client), as Google does when it revokes the account's tokens. */
  revokeAccount (sub: string): void {
    for (const [token, record] of this.#tokens) {
      if (record.account.sub === sub && !record.revoked) this.revoke(token)
    }
  }

  /** Revokes every token issued so far and forgets every consent and the scopes it granted. */
  revokeAll (): void {
    for (const record of this.#tokens.values()) record.revoked = true
    this.#offline.clear()
    this.#granted.clear()
  }

  #revokeOne (token: string): void {
    const record = this.#tokens.get(token)
    if (record === undefined) return
    record.revoked = true
    if (record.kind === 'refresh') this.#offline.delete(`${record.clientId}\n${record.account.sub}`)
  }
}
