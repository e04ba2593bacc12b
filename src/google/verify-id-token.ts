import { createHash } from 'node:crypto'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose'
import { sameText } from '../crypto.js'
import { fail, isPluginError, type PluginError } from '../errors.js'
import type { GoogleIdTokenClaims, GoogleUser } from '../types.js'
import { GOOGLE_ISSUERS } from './endpoints.js'
import { jwksFetch } from './fetch.js'

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
  /** Our OAuth client id: the only accepted audience (and authorized party). */
  clientId: string
  /** The time tokens are checked against (epoch ms). */
  now: () => number
}

export interface IdTokenVerifier {
  /** Verifies an ID token from the token endpoint: signature, claims, this attempt's `nonce`, and `at_hash` against its access token. */
  verify (idToken: string, expected: { nonce: string, accessToken: string }): Promise<VerifiedIdToken>
}

const MAX_LIFETIME_SECONDS = 24 * 60 * 60
/** Tolerated clock difference with Google, as google-auth-library allows. */
const CLOCK_SKEW_SECONDS = 300
/** How often an unknown `kid` may make us download Google's keys again (a forged kid must not flood Google). */
const REFETCH_INTERVAL = 30_000
/** How long downloaded keys are used before they are downloaded again. */
const KEYS_MAX_AGE = 10 * 60_000

const invalid = (reason: string) => fail('ID_TOKEN_INVALID', reason)
const optionalText = (value: unknown): string | null => typeof value === 'string' && value !== '' ? value : null

/** Why downloading the key set failed: Google (or the way to it) is at fault, so 502/504, never "invalid token". */
function downloadFailure (error: unknown): PluginError {
  if (isPluginError(error)) return error
  const { name, type, code } = error as { name?: unknown, type?: unknown, code?: unknown }
  if (name === 'TimeoutError' || name === 'AbortError') return fail('GOOGLE_TIMEOUT', 'certs:timeout')
  if (type === 'max-size') return fail('GOOGLE_BAD_RESPONSE', 'certs:too-large')
  if (code === 'ERR_JWKS_INVALID' || type === 'invalid-json' || error instanceof SyntaxError) return fail('GOOGLE_BAD_RESPONSE', 'certs:invalid')
  return fail('GOOGLE_BAD_RESPONSE', 'certs:unreachable')
}

/** Maps jose's error codes to a short reason for the log (its messages never reach the client). */
function failureOf (error: unknown) {
  if (isPluginError(error)) return error
  const code = (error as { code?: unknown }).code
  const claim = (error as { claim?: unknown }).claim
  switch (code) {
    case 'ERR_JWKS_NO_MATCHING_KEY': return invalid('unknown-kid')
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS': return invalid('ambiguous-kid')
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED': return invalid('bad-signature')
    case 'ERR_JWT_EXPIRED': return invalid('expired')
    case 'ERR_JOSE_ALG_NOT_ALLOWED': return invalid('alg-not-rs256')
    case 'ERR_JWS_INVALID': case 'ERR_JWT_INVALID': return invalid('malformed')
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': return invalid(`claim-${typeof claim === 'string' ? claim.replace(/[^\w]/g, '').slice(0, 20) : 'unknown'}`)
  }
  return invalid('rejected')
}

/** The `kid` the token names; a token without one is refused (jose would try every key of the set). */
function requireKid (idToken: string): void {
  let kid: unknown
  try {
    kid = decodeProtectedHeader(idToken).kid
  } catch {
    throw invalid('malformed')
  }
  if (typeof kid !== 'string' || kid === '') throw invalid('no-kid')
}

type KeyResolver = ReturnType<typeof createLocalJWKSet>

/**
 * Google's key set, downloaded when first needed and again every 10 minutes; a `kid` it lacks
 * (Google rotated its keys) makes it download them again, such refetches at most every 30 s. Concurrent
 * downloads are one. jose picks and imports the keys; the timing is the plugin's clock.
 */
function googleKeys (options: IdTokenVerifierOptions): JWTVerifyGetKey {
  let keys: KeyResolver | null = null
  let fetchedAt = -Infinity
  let refetchedAt = -Infinity
  let pending: Promise<KeyResolver> | null = null
  const download = (): Promise<KeyResolver> => {
    pending ??= (async () => {
      try {
        const response = await jwksFetch(options.jwksUrl, { method: 'GET', headers: new Headers({ accept: 'application/json' }), redirect: 'manual', signal: AbortSignal.timeout(options.timeout) })
        if (response.status !== 200) throw fail('GOOGLE_BAD_RESPONSE', `certs:http-${response.status}`)
        const set = createLocalJWKSet(await response.json() as JSONWebKeySet)
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
  return async (header, token) => {
    const current = keys !== null && options.now() - fetchedAt < KEYS_MAX_AGE ? keys : await download()
    try {
      return await current(header, token)
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || options.now() - refetchedAt < REFETCH_INTERVAL) throw error
      refetchedAt = options.now()
      return await (await download())(header, token)
    }
  }
}

/**
 * Verifies ID tokens (OIDC Core §3.1.3.7) with jose against Google's JSON Web Key Set: RS256
 * only, keys cached as key objects (no PEM parsing per token); a download failure fails closed.
 */
export function createIdTokenVerifier (options: IdTokenVerifierOptions): IdTokenVerifier {
  const keys = googleKeys(options)
  return {
    async verify (idToken, expected) {
      requireKid(idToken)
      let claims: JWTPayload & Record<string, unknown>
      try {
        const verified = await jwtVerify(idToken, keys, {
          algorithms: ['RS256'],
          issuer: GOOGLE_ISSUERS,
          audience: options.clientId,
          clockTolerance: CLOCK_SKEW_SECONDS,
          maxTokenAge: MAX_LIFETIME_SECONDS,
          requiredClaims: ['iat', 'exp', 'sub'],
          currentDate: new Date(options.now())
        })
        claims = verified.payload as JWTPayload & Record<string, unknown>
      } catch (error) {
        throw failureOf(error)
      }
      return { user: checkClaims(claims, options, expected), claims: Object.freeze(claims) as Readonly<GoogleIdTokenClaims> }
    }
  }
}

/**
 * The checks of OIDC Core §3.1.3.7 beyond jose's (signature, `iss`, `aud`, `iat`, `exp`): an exact
 * string `aud`, `azp`, the lifetime, `nonce`, `sub`, `at_hash`, and `email_verified` only as the
 * boolean. Returns the user the token names.
 */
function checkClaims (claims: Record<string, unknown>, options: IdTokenVerifierOptions, expected: { nonce: string, accessToken: string }): GoogleUser {
  if (claims.aud !== options.clientId) throw invalid('audience')
  if (claims.azp !== undefined && claims.azp !== options.clientId) throw invalid('azp')
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp - claims.iat > MAX_LIFETIME_SECONDS) {
    throw invalid('lifetime-too-long')
  }
  if (typeof claims.nonce !== 'string' || !sameText(claims.nonce, expected.nonce)) throw invalid('nonce')
  if (typeof claims.sub !== 'string' || claims.sub === '' || claims.sub.length > 255) throw invalid('sub')
  if (claims.at_hash !== undefined) {
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
