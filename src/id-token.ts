import { createHash, timingSafeEqual } from 'node:crypto'
import type { OAuth2Client } from 'google-auth-library'
import { fail } from './errors.js'
import { googleFailure } from './google-client.js'
import { GOOGLE_ISSUERS } from './google-endpoints.js'

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

function sameText (a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** Maps google-auth-library's verification messages (which embed the token) to a short reason. */
function reasonOf (message: string): string {
  const known: Array<[string, string]> = [
    ['Invalid token signature', 'bad-signature'],
    ['No pem found', 'unknown-kid'],
    ['Token used too late', 'expired'],
    ['Token used too early', 'issued-in-future'],
    ['Expiration time too far', 'lifetime-too-long'],
    ['Invalid issuer', 'issuer'],
    ['Wrong recipient', 'audience'],
    ['No issue time', 'no-iat'],
    ['No expiration time', 'no-exp'],
    ['Wrong number of segments', 'malformed'],
    ["Can't parse", 'malformed']
  ]
  return known.find(([prefix]) => message.startsWith(prefix))?.[1] ?? 'rejected'
}

/** Verifies an ID token fully (OIDC Core §3.1.3.7). */
export interface IdTokenVerifier {
  verify (input: VerifyIdTokenInput): Promise<VerifiedClaims>
}

/** How often an unknown `kid` may make us download Google's keys again (a forged kid must not flood Google). */
const REFETCH_INTERVAL = 30_000

/**
 * Verifies ID tokens with a client whose key cache stays warm. google-auth-library does not refetch
 * the keys for an unknown `kid` (Google rotates them): then a fresh client downloads them once, at
 * most every 30 s, and replaces the old one.
 */
export function createIdTokenVerifier (newClient: () => OAuth2Client): IdTokenVerifier {
  let client = newClient()
  let lastRefetch = 0

  async function signatureCheck (idToken: string, audience: string): Promise<Record<string, unknown>> {
    try {
      return await payloadOf(client, idToken, audience)
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('No pem found') || Date.now() - lastRefetch < REFETCH_INTERVAL) throw error
      lastRefetch = Date.now()
      const fresh = newClient()
      const payload = await payloadOf(fresh, idToken, audience)
      client = fresh
      return payload
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
        claims = await signatureCheck(input.idToken, input.clientId)
      } catch (error) {
        const message = error instanceof Error ? error.message : ''
        if (message.startsWith('Failed to retrieve verification certificates')) throw googleFailure(error, 'certs')
        throw invalid(reasonOf(message))
      }
      return checkClaims(claims, input)
    }
  }
}

async function payloadOf (client: OAuth2Client, idToken: string, audience: string): Promise<Record<string, unknown>> {
  const ticket = await client.verifyIdToken({ idToken, audience })
  return (ticket.getPayload() ?? {}) as Record<string, unknown>
}

/**
 * The checks of OIDC Core §3.1.3.7: google-auth-library checks the RS256
 * signature against Google's published keys, `iat`/`exp`, the pinned issuers and `aud`; this
 * adds what it leaves out: `alg`/`kid`, `azp`, `nonce`, `sub`, `at_hash`, the lifetime,
 * the boolean `email_verified` and the hosted domain.
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
