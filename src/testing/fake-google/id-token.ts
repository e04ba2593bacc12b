import { randomBytes } from 'node:crypto'
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
 * Claims of the account as Google releases them for the granted scopes: `sub` always, `hd` for a
 * Workspace account, the email claims with `email`, the name, picture and locale with `profile`.
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

/** Signs claims as an ID token: RS256 with the current key and its `kid`, through the tamperer if one is set. */
function signIdToken (ctx: FakeGoogleContext, claims: Record<string, unknown>): string {
  const header: Record<string, unknown> = { alg: 'RS256', kid: ctx.keys.current.kid, typ: 'JWT' }
  if (ctx.tamperer === null) return encodeJwt(header, claims, signerFor(ctx, 'current-key', header))
  const token = { header: { ...header }, claims: { ...claims } }
  const changes = ctx.tamperer(token) ?? {}
  const tamperedHeader = { ...(changes.header ?? token.header) }
  const signer = signerFor(ctx, changes.signWith ?? 'current-key', tamperedHeader)
  return encodeJwt(tamperedHeader, changes.claims ?? token.claims, signer)
}

/** Picks the named claims that are present, in the order given. */
function pick (claims: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => n in claims).map((n) => [n, claims[n]]))
}

/**
 * Mints an RS256 ID token with the claims Google sends, in Google's order, passing it through
 * the tamperer if one is set.
 */
export function mintIdToken (ctx: FakeGoogleContext, subject: IdTokenSubject): string {
  const iat = Math.floor(ctx.settings.now() / 1000)
  const released = accountClaims(subject.account, subject.scopes)
  return signIdToken(ctx, {
    iss: GOOGLE_ISSUER,
    azp: subject.clientId,
    aud: subject.clientId,
    ...pick(released, 'sub', 'hd', 'email', 'email_verified'),
    at_hash: accessTokenHash(subject.accessToken),
    ...(subject.nonce !== undefined ? { nonce: subject.nonce } : {}),
    ...pick(released, 'name', 'picture', 'given_name', 'family_name', 'locale'),
    iat,
    exp: iat + ID_TOKEN_LIFETIME_S,
    ...subject.claims
  })
}

/** What a credential (an ID token issued without a code) is about and for. */
export interface CredentialSubject {
  account: Account
  /** The `aud` claim. */
  audience: string
  /** The `azp` claim; null leaves it out. */
  authorizedParty: string | null
  nonce?: string
  /** Claims that replace or add to the computed ones; one set to undefined is removed. */
  claims?: Record<string, unknown>
  /** `exp - iat`. Default one hour. */
  lifetimeSeconds?: number
}

const SIGN_IN_SCOPES: GrantedScopes = { openid: true, email: true, profile: true, others: [] }

/**
 * Mints an ID token as Google Identity Services (the button, One Tap) and the mobile sign-in
 * SDKs issue it: no access token beside it (so no `at_hash`), `nbf` five minutes before `iat`,
 * a `jti`, and no `locale`. In Google's order, through the tamperer if one is set.
 */
export function mintCredential (ctx: FakeGoogleContext, subject: CredentialSubject): string {
  const iat = Math.floor(ctx.settings.now() / 1000)
  const released = accountClaims(subject.account, SIGN_IN_SCOPES)
  const claims: Record<string, unknown> = {
    iss: GOOGLE_ISSUER,
    ...(subject.authorizedParty !== null ? { azp: subject.authorizedParty } : {}),
    aud: subject.audience,
    ...pick(released, 'sub', 'hd', 'email', 'email_verified'),
    ...(subject.nonce !== undefined ? { nonce: subject.nonce } : {}),
    nbf: iat - 300,
    ...pick(released, 'name', 'picture', 'given_name', 'family_name'),
    iat,
    exp: iat + (subject.lifetimeSeconds ?? ID_TOKEN_LIFETIME_S),
    jti: randomBytes(20).toString('hex')
  }
  for (const [name, value] of Object.entries(subject.claims ?? {})) {
    if (value === undefined) delete claims[name]
    else claims[name] = value
  }
  return signIdToken(ctx, claims)
}

/** The credential Google Identity Services gives a page of `clientId`: `aud` and `azp` are the client. */
export function mintOneTapCredential (
  ctx: FakeGoogleContext, clientId: string, account: Account, extra: Pick<CredentialSubject, 'nonce' | 'claims'> = {}
): string {
  return mintCredential(ctx, { account, audience: clientId, authorizedParty: clientId, ...extra })
}
