import { gaxios } from 'google-auth-library'
import { createHash, createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto'
import { sameText } from '../crypto.js'
import { fail, isPluginError, type PluginError } from '../errors.js'
import type { GoogleIdTokenClaims, GoogleUser } from '../types.js'
import { GOOGLE_ISSUERS } from './endpoints.js'
import { googleFailure } from './client.js'
import { googleAuthFetch } from './fetch.js'

/** A verified ID token: the user it names, and all its claims (for the app's own checks). */
export interface VerifiedIdToken {
  user: GoogleUser
  claims: Readonly<GoogleIdTokenClaims>
}

export interface IdTokenVerifierOptions {
  /** Google's JSON Web Key Set URL. */
  jwksUrl: string
  /** Deadline for downloading the keys (ms). */
  timeout: number
  /** Our OAuth client id: the accepted audience (and authorized party) unless a verification names others. */
  clientId: string
  /** The time tokens are checked against (epoch ms). */
  now: () => number
}

/** What a token must carry besides Google's signature and the standard claims. */
export interface ExpectedToken {
  /** The nonce this sign-in sent (the redirect flow, One Tap); null for Bearer tokens, which have none of ours. */
  nonce: string | null
  /** The access token issued with it, for `at_hash`; null when there is none (One Tap, Bearer). */
  accessToken: string | null
  /** Accepted `aud` values. Default: our client id only. */
  audiences?: readonly string[]
  /** Accepted `azp` values, when the token has one. Default: our client id only. */
  authorizedParties?: readonly string[]
}

export interface IdTokenVerifier {
  /** Verifies an ID token: Google's signature, the standard claims, and what `expected` names. */
  verify (idToken: string, expected: ExpectedToken): Promise<VerifiedIdToken>
}

const MAX_LIFETIME_SECONDS = 24 * 60 * 60
/** Tolerated clock difference with Google, as google-auth-library allows. */
export const CLOCK_SKEW_SECONDS = 300
/** How often an unknown `kid` may make us download Google's keys again (a forged kid must not flood Google). */
const REFETCH_INTERVAL = 30_000
/** How long downloaded keys are used before they are downloaded again. */
const KEYS_MAX_AGE = 10 * 60_000

const invalid = (reason: string) => fail('ID_TOKEN_INVALID', reason)
const optionalText = (value: unknown): string | null => typeof value === 'string' && value !== '' ? value : null

/** Why downloading the key set failed: Google (or the way to it) is at fault, so 502/504, never "invalid token". */
function downloadFailure (error: unknown): PluginError {
  if (isPluginError(error)) return error
  if (error instanceof SyntaxError) return fail('GOOGLE_BAD_RESPONSE', 'certs:invalid')
  return googleFailure(error, 'certs')
}

type KeySet = ReadonlyMap<string, KeyObject>

/** The RS256 signing keys of a JSON Web Key Set; anything else in it is ignored. */
function importKeys (body: unknown): KeySet {
  const list = (body as { keys?: unknown } | null)?.keys
  if (!Array.isArray(list)) throw fail('GOOGLE_BAD_RESPONSE', 'certs:invalid')
  const keys = new Map<string, KeyObject>()
  for (const jwk of list as JsonWebKey[] & Array<{ kid?: unknown }>) {
    if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.alg !== undefined && jwk.alg !== 'RS256') || (jwk.use !== undefined && jwk.use !== 'sig')) continue
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' })
      // No RSA key under 2048 bits (RFC 7518 §3.3).
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) keys.set(jwk.kid, key)
    } catch {
      // A key that does not import is not one of Google's.
    }
  }
  return keys
}

/**
 * Google's key set, downloaded when first needed and again every 10 minutes; a `kid` it lacks
 * (Google rotated its keys) makes it download them again, such refetches at most every 30 s.
 * Concurrent downloads are one. The timing is the plugin's clock.
 */
function googleKeys (options: IdTokenVerifierOptions): (kid: string) => Promise<KeyObject> {
  let keys: KeySet | null = null
  let fetchedAt = -Infinity
  let refetchedAt = -Infinity
  let pending: Promise<KeySet> | null = null
  // Through gaxios, as google-auth-library's own calls go (proxy settings apply), with the 1 MB cap and no redirects.
  const transporter = new gaxios.Gaxios({ fetchImplementation: googleAuthFetch([options.jwksUrl]) })
  const download = (): Promise<KeySet> => {
    pending ??= (async () => {
      try {
        const response = await transporter.request<string>({
          url: options.jwksUrl,
          headers: { accept: 'application/json' },
          responseType: 'text',
          timeout: options.timeout,
          retry: false,
          validateStatus: () => true
        })
        if (response.status !== 200) throw fail('GOOGLE_BAD_RESPONSE', `certs:http-${response.status}`)
        const set = importKeys(JSON.parse(response.data))
        keys = set
        fetchedAt = options.now()
        return set
      } catch (error) {
        throw downloadFailure(error)
      } finally {
        pending = null
      }
    })()
    return pending
  }
  return async (kid) => {
    const current = keys !== null && options.now() - fetchedAt < KEYS_MAX_AGE ? keys : await download()
    const key = current.get(kid)
    if (key !== undefined) return key
    if (options.now() - refetchedAt < REFETCH_INTERVAL) throw invalid('unknown-kid')
    refetchedAt = options.now()
    const again = (await download()).get(kid)
    if (again === undefined) throw invalid('unknown-kid')
    return again
  }
}

/** A compact JWS: three non-empty parts of base64url characters (`\w` is `[A-Za-z0-9_]`), no padding. */
const COMPACT_JWS = /^([\w-]+)\.([\w-]+)\.([\w-]+)$/
const BASE64URL_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/**
 * The bits of a part's last character that carry no data, by the part's length mod 4: none for a
 * whole number of 3-byte groups, 4 after one byte more, 2 after two; a length of 4n+1 is no bytes (-1).
 */
const UNUSED_BITS = [0, -1, 0b1111, 0b11] as const

/**
 * Whether a part of base64url characters is the one spelling of its bytes (RFC 7515 §2, RFC 4648
 * §3.5): no length of 4n+1, and the unused bits of its last character zero (`Buffer.from` decodes
 * either of those to the same bytes as the canonical text, which made one token many texts).
 */
function canonicalEnd (part: string): boolean {
  const unused = UNUSED_BITS[part.length % 4]!
  return unused === 0 || (unused > 0 && (BASE64URL_DIGITS.indexOf(part[part.length - 1]!) & unused) === 0)
}

/** The three parts of a compact JWS when each is spelled as base64url spells its bytes; null otherwise. */
function canonicalParts (token: string): [string, string, string] | null {
  const match = COMPACT_JWS.exec(token)
  if (match === null) return null
  const parts: [string, string, string] = [match[1]!, match[2]!, match[3]!]
  return parts.every(canonicalEnd) ? parts : null
}

/**
 * Whether `token` is a compact JWS in canonical base64url: three non-empty parts of the URL
 * alphabet only, no `=` padding, no stray bits in a part's last character. Only such a text
 * verifies, so one token has one text, and a text is a cache key for what it verified to.
 */
export function isCanonicalJws (token: string): boolean {
  return canonicalParts(token) !== null
}

/** A JSON object from one base64url part of a compact JWS; null when it is not one. */
function jsonObject (part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

/**
 * The header and claims of a compact JWS, and what its signature covers; refused when it is not
 * one, or not spelled canonically (an empty signature included).
 */
function decode (idToken: string): { header: Record<string, unknown>, claims: Record<string, unknown>, signed: Buffer, signature: Buffer } {
  const parts = canonicalParts(idToken)
  if (parts === null) throw invalid('malformed')
  const header = jsonObject(parts[0])
  const claims = header === null ? null : jsonObject(parts[1])
  if (header === null || claims === null) throw invalid('malformed')
  // The claims checked are decoded from the very bytes the signature covers.
  return { header, claims, signed: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], 'base64url') }
}

/**
 * Verifies ID tokens (OIDC Core §3.1.3.7) against Google's JSON Web Key Set: RS256 only, with the
 * key its `kid` names, checked with node:crypto on key objects imported once per download; a
 * download failure fails closed. (jose 6 verifies through WebCrypto only, which costs three times
 * as much per token: too slow for Bearer tokens, verified on requests.)
 */
export function createIdTokenVerifier (options: IdTokenVerifierOptions): IdTokenVerifier {
  const keyFor = googleKeys(options)
  return {
    async verify (idToken, expected) {
      const { header, claims, signed, signature } = decode(idToken)
      // The header says how to check the token: only Google's way is accepted.
      if (header.alg !== 'RS256') throw invalid('alg-not-rs256')
      if (typeof header.kid !== 'string' || header.kid === '') throw invalid('no-kid')
      if (header.crit !== undefined) throw invalid('crit')
      const key = await keyFor(header.kid)
      if (!signedBy(key, signed, signature)) throw invalid('bad-signature')
      checkTimes(claims, Math.floor(options.now() / 1000))
      const audiences = expected.audiences ?? [options.clientId]
      const user = checkClaims(claims, { ...expected, audiences, authorizedParties: expected.authorizedParties ?? [options.clientId] })
      return { user, claims: Object.freeze(claims) as Readonly<GoogleIdTokenClaims> }
    }
  }
}

/** Whether `signature` is the RS256 signature of `signed` by `key` (a malformed signature is not). */
function signedBy (key: KeyObject, signed: Buffer, signature: Buffer): boolean {
  try {
    return verifySignature('RSA-SHA256', signed, key, signature)
  } catch {
    return false
  }
}

/**
 * `iss`, and the times: `exp` not passed, `iat` not in the future, `nbf` reached (with 5 minutes of
 * skew). With the 24-hour lifetime `checkClaims` enforces, no token older than that passes either.
 */
function checkTimes (claims: Record<string, unknown>, now: number): void {
  if (typeof claims.iss !== 'string' || !GOOGLE_ISSUERS.includes(claims.iss)) throw invalid('issuer')
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw invalid('claim-exp')
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw invalid('claim-iat')
  if (claims.exp <= now - CLOCK_SKEW_SECONDS) throw invalid('expired')
  if (claims.iat > now + CLOCK_SKEW_SECONDS) throw invalid('claim-iat-future')
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + CLOCK_SKEW_SECONDS)) throw invalid('claim-nbf')
}

/**
 * The checks of OIDC Core §3.1.3.7 beyond the signature and the times: an exact
 * string `aud`, `azp`, the lifetime, `nonce`, `sub`, `at_hash`, and `email_verified` only as the
 * boolean. Returns the user the token names.
 */
function checkClaims (claims: Record<string, unknown>, expected: Required<ExpectedToken>): GoogleUser {
  // One audience, as a string (an array, even one holding ours, is not what Google sends).
  if (typeof claims.aud !== 'string' || !expected.audiences.includes(claims.aud)) throw invalid('audience')
  if (claims.azp !== undefined && (typeof claims.azp !== 'string' || !expected.authorizedParties.includes(claims.azp))) throw invalid('azp')
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp - claims.iat > MAX_LIFETIME_SECONDS) {
    throw invalid('lifetime-too-long')
  }
  if (expected.nonce !== null && (typeof claims.nonce !== 'string' || !sameText(claims.nonce, expected.nonce))) throw invalid('nonce')
  if (typeof claims.sub !== 'string' || claims.sub === '' || claims.sub.length > 255) throw invalid('sub')
  if (claims.at_hash !== undefined && expected.accessToken !== null) {
    const digest = createHash('sha256').update(expected.accessToken).digest()
    const hash = digest.subarray(0, digest.length / 2).toString('base64url')
    if (typeof claims.at_hash !== 'string' || !sameText(claims.at_hash, hash)) throw invalid('at_hash')
  }
  // (Whether this account may sign in, `hd` included, is the policies' question: sign-in/policies.ts.)
  const hd = optionalText(claims.hd)
  return {
    id: claims.sub,
    email: optionalText(claims.email),
    emailVerified: claims.email_verified === true,
    name: optionalText(claims.name),
    givenName: optionalText(claims.given_name),
    familyName: optionalText(claims.family_name),
    picture: optionalText(claims.picture),
    locale: optionalText(claims.locale),
    hostedDomain: hd
  }
}
