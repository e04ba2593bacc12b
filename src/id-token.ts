import { createHash } from 'node:crypto'
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose'
import { fail } from './errors.js'
import { sameText } from './safe-equal.js'
import { GOOGLE_ISSUERS } from './google-endpoints.js'
import { jwksFetch } from './google-fetch.js'

/** The ID token claims we rely on, after every check passed. */
export interface VerifiedClaims {
  sub: string
  email: string | null
  emailVerified: boolean
  hd: string | null
  name: string | null
  givenName: string | null
  familyName: string | null
  picture: string | null
  locale: string | null
}

export interface VerifyIdTokenInput {
  idToken: string
  accessToken: string
  clientId: string
  nonce: string
  hostedDomain: string | null
}

const MAX_LIFETIME_SECONDS = 24 * 60 * 60
/** Tolerated clock difference with Google, as google-auth-library allows. */
const CLOCK_SKEW_SECONDS = 300
const invalid = (reason: string) => fail('ID_TOKEN_INVALID', reason)

function decodeSegment (segment: string | undefined): Record<string, unknown> | null {
  if (segment === undefined) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : null
  } catch {
    return null
  }
}

const optionalText = (value: unknown): string | null => typeof value === 'string' && value !== '' ? value : null


/** Maps jose's error codes to a short reason for the log (its messages never reach the client). */
function failureOf (error: unknown) {
  const code = (error as { code?: unknown }).code
  const claim = (error as { claim?: unknown }).claim
  switch (code) {
    case 'ERR_JWKS_TIMEOUT': return fail('GOOGLE_TIMEOUT', 'certs:timeout')
    case 'ERR_JWKS_INVALID': return fail('GOOGLE_BAD_RESPONSE', 'certs:invalid')
    case 'ERR_JOSE_GENERIC': return fail('GOOGLE_BAD_RESPONSE', 'certs:unavailable')
    case 'ERR_JWKS_NO_MATCHING_KEY': return invalid('unknown-kid')
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': return invalid('ambiguous-kid')
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return invalid('bad-signature')
    case 'ERR_JWT_EXPIRED': return invalid('expired')
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return invalid('alg-not-rs256')
    case 'ERR_JWS_INVALID': case 'ERR_JWT_INVALID': return invalid('malformed')
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': return invalid(`claim-${typeof claim === 'string' ? claim.replace(/[^\w]/g, '').slice(0, 20) : 'unknown'}`)
  }
  // fetch() itself failed (connection refused, reset, too big): Google is unreachable.
  if (error instanceof TypeError) return fail('GOOGLE_BAD_RESPONSE', 'certs:unreachable')
  return invalid('rejected')
}

/** How often an unknown `kid` may make us download Google's keys again (a forged kid must not flood Google). */
const REFETCH_INTERVAL = 30_000

export interface IdTokenVerifier {
  verify (input: VerifyIdTokenInput): Promise<VerifiedClaims>
}

export interface IdTokenVerifierOptions {
  /** Google's JSON Web Key Set URL. */
  jwksUrl: string
  /** Deadline for downloading the keys (ms). */
  timeout: number
}

/**
 * Verifies ID tokens (OIDC Core §3.1.3.7) with jose against Google's JSON Web Key Set: keys are
 * cached as key objects (no PEM parsing per token) and downloaded again every 10 minutes, an
 * unknown `kid` triggers one refetch at most every 30 s (Google rotates its keys), and a download
 * failure fails closed.
 */
export function createIdTokenVerifier (options: IdTokenVerifierOptions): IdTokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    timeoutDuration: options.timeout,
    cooldownDuration: REFETCH_INTERVAL,
    cacheMaxAge: 10 * 60_000,
    [customFetch]: jwksFetch
  })
  let lastRefetch = 0
  const check = (idToken: string, audience: string) => jwtVerify(idToken, keys, {
    algorithms: ['RS256'],
    issuer: GOOGLE_ISSUERS,
    audience,
    clockTolerance: CLOCK_SKEW_SECONDS,
    maxTokenAge: MAX_LIFETIME_SECONDS,
    requiredClaims: ['iat', 'exp', 'sub']
  })
  /** A `kid` missing from the cached keys: download them again (at most every 30 s) and retry once. */
  async function checkWithRefetch (idToken: string, audience: string) {
    try {
      return await check(idToken, audience)
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || Date.now() - lastRefetch < REFETCH_INTERVAL) throw error
      lastRefetch = Date.now()
      await keys.reload()
      return await check(idToken, audience)
    }
  }
  return {
    async verify (input) {
      const segments = input.idToken.split('.')
      const header = decodeSegment(segments[0])
      if (segments.length !== 3 || header === null) throw invalid('malformed')
      if (header.alg !== 'RS256') throw invalid('alg-not-rs256')
      if (typeof header.kid !== 'string' || header.kid === '') throw invalid('no-kid')
      let claims: Record<string, unknown>
      try {
        const verified = await checkWithRefetch(input.idToken, input.clientId)
        claims = verified.payload as Record<string, unknown>
      } catch (error) {
        throw failureOf(error)
      }
      return checkClaims(claims, input)
    }
  }
}

/**
 * The checks of OIDC Core §3.1.3.7 beyond jose's (signature, `iss`, `aud`, `iat`, `exp`): an exact
 * string `aud`, `azp`, the lifetime, `nonce`, `sub`, `at_hash`, the boolean `email_verified` and
 * the hosted domain.
 */
function checkClaims (claims: Record<string, unknown>, input: VerifyIdTokenInput): VerifiedClaims {
  if (typeof claims.iss !== 'string' || !GOOGLE_ISSUERS.includes(claims.iss)) throw invalid('issuer')
  if (claims.aud !== input.clientId) throw invalid('audience')
  if (claims.azp !== undefined && claims.azp !== input.clientId) throw invalid('azp')
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp - claims.iat > MAX_LIFETIME_SECONDS) {
    throw invalid('lifetime-too-long')
  }
  if (typeof claims.nonce !== 'string' || !sameText(claims.nonce, input.nonce)) throw invalid('nonce')
  if (typeof claims.sub !== 'string' || claims.sub === '' || claims.sub.length > 255) throw invalid('sub')
  if (claims.at_hash !== undefined) {
    const digest = createHash('sha256').update(input.accessToken).digest()
    const expected = digest.subarray(0, digest.length / 2).toString('base64url')
    if (typeof claims.at_hash !== 'string' || !sameText(claims.at_hash, expected)) throw invalid('at_hash')
  }
  const hd = optionalText(claims.hd)
  if (input.hostedDomain !== null && hd?.toLowerCase() !== input.hostedDomain) {
    throw fail('HOSTED_DOMAIN_MISMATCH', hd === null ? 'hd-missing' : 'hd-differs')
  }

  return {
    sub: claims.sub,
    email: optionalText(claims.email),
    emailVerified: claims.email_verified === true,
    hd,
    name: optionalText(claims.name),
    givenName: optionalText(claims.given_name),
    familyName: optionalText(claims.family_name),
    picture: optionalText(claims.picture),
    locale: optionalText(claims.locale)
  }
}
