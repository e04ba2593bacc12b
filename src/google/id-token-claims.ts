import { createHash } from 'node:crypto'
import { sameText } from '../crypto.js'
import { pluginError } from '../errors.js'
import type { GoogleUser } from '../types.js'
import { ID_TOKEN_ISSUERS } from './endpoints.js'

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

const MAX_LIFETIME_SECONDS = 24 * 60 * 60
/** Tolerated clock difference with Google, as google-auth-library allows. */
export const CLOCK_SKEW_SECONDS = 300

const invalid = (reason: string) => pluginError('ID_TOKEN_INVALID', reason)
const optionalText = (value: unknown): string | null => typeof value === 'string' && value !== '' ? value : null

/**
 * `iss`, and the times: `exp` not passed, `iat` not in the future, `nbf` reached (with 5 minutes of
 * skew). With the 24-hour lifetime `checkClaims` enforces, no token older than that passes either.
 */
export function checkTimes (claims: Record<string, unknown>, now: number): void {
  if (typeof claims.iss !== 'string' || !ID_TOKEN_ISSUERS.includes(claims.iss)) throw invalid('issuer')
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
export function checkClaims (claims: Record<string, unknown>, expected: Required<ExpectedToken>): GoogleUser {
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
