import type { FakeGoogleContext } from './context.js'
import { GOOGLE_ISSUER } from './defaults.js'
import { accessTokenHash, encodeJwt, type JwtSigner } from './jwt.js'
import type { Account } from './options.js'
import type { GrantedScopes } from './scopes.js'
import type { IdTokenSigning } from './types.js'

/** Google's ID tokens live one hour. */
const ID_TOKEN_LIFETIME_S = 3600

/** What an ID token is about. */
export interface IdTokenSubject {
  clientId: string
  account: Account
  scopes: GrantedScopes
  accessToken: string
  nonce?: string
  /** Claims that replace or add to the computed ones. */
  claims?: Record<string, unknown>
}

/**
 * Claims of the account as Google releases them for the granted scopes: `sub` and `hd` always,
 * the email claims with `email`, the name, picture and locale with `profile`.
 */
export function accountClaims (account: Account, scopes: GrantedScopes): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: account.sub }
  if (account.hd !== undefined) claims.hd = account.hd
  if (scopes.email) {
    claims.email = account.email
    claims.email_verified = account.emailVerified
  }
  if (scopes.profile) {
    claims.name = account.name
    claims.picture = account.picture
    claims.given_name = account.givenName
    if (account.familyName !== undefined) claims.family_name = account.familyName
    claims.locale = account.locale
  }
  return claims
}

function signerFor (ctx: FakeGoogleContext, signWith: IdTokenSigning, header: Record<string, unknown>): JwtSigner {
  if (signWith === 'current-key') return { kind: 'rs256', key: ctx.keys.current.privateKey }
  if (signWith === 'rogue-key') return { kind: 'rs256', key: ctx.keys.rogue.privateKey }
  // Unless the tamperer chose another alg, the header tells the truth about the signature.
  if (signWith === 'none') {
    if (header.alg === 'RS256') header.alg = 'none'
    return { kind: 'none' }
  }
  if (header.alg === 'RS256') header.alg = 'HS256'
  return { kind: 'hs256', secret: signWith.hs256Secret }
}

/**
 * Mints an RS256 ID token with the claims Google sends, in Google's order, passing it through
 * the tamperer if one is set.
 */
export function mintIdToken (ctx: FakeGoogleContext, subject: IdTokenSubject): string {
  const iat = Math.floor(ctx.settings.now() / 1000)
  const released = accountClaims(subject.account, subject.scopes)
  const pick = (...names: string[]): Record<string, unknown> =>
    Object.fromEntries(names.filter((n) => n in released).map((n) => [n, released[n]]))
  const claims: Record<string, unknown> = {
    iss: GOOGLE_ISSUER,
    azp: subject.clientId,
    aud: subject.clientId,
    ...pick('sub', 'hd', 'email', 'email_verified'),
    at_hash: accessTokenHash(subject.accessToken),
    ...(subject.nonce !== undefined ? { nonce: subject.nonce } : {}),
    ...pick('name', 'picture', 'given_name', 'family_name', 'locale'),
    iat,
    exp: iat + ID_TOKEN_LIFETIME_S,
    ...subject.claims
  }
  const header: Record<string, unknown> = { alg: 'RS256', kid: ctx.keys.current.kid, typ: 'JWT' }
  if (ctx.tamperer === null) return encodeJwt(header, claims, signerFor(ctx, 'current-key', header))
  const token = { header: { ...header }, claims: { ...claims } }
  const changes = ctx.tamperer(token) ?? {}
  const tamperedHeader = { ...(changes.header ?? token.header) }
  const signer = signerFor(ctx, changes.signWith ?? 'current-key', tamperedHeader)
  return encodeJwt(tamperedHeader, changes.claims ?? token.claims, signer)
}
