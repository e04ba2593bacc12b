import { verify as verifySignature, type KeyObject } from 'node:crypto'
import { errorNameOf, isPluginError, pluginError, type ErrorName, type PluginError } from '../errors.js'
import { decodeJws } from '../google/compact-jws.js'
import type { RiscConfiguration } from './discovery.js'
import type { SecurityEvent, SecurityEventType } from './types.js'

/** RFC 8935 §2.4's error codes, as a refusal answers them. */
export type SetErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience' | 'authentication_failed' | 'access_denied'

/** Each refusal's RFC 8935 code, by the plugin's. */
export const SET_ERRORS: Partial<Record<ErrorName, SetErrorCode>> = {
  SECURITY_EVENT_MALFORMED: 'invalid_request',
  SECURITY_EVENT_ALGORITHM: 'invalid_request',
  SECURITY_EVENT_NO_EVENTS: 'invalid_request',
  SECURITY_EVENT_CONTENT_TYPE: 'invalid_request',
  SECURITY_EVENT_UNKNOWN_KEY: 'invalid_key',
  SECURITY_EVENT_SIGNATURE: 'invalid_key',
  SECURITY_EVENT_ISSUER: 'invalid_issuer',
  SECURITY_EVENT_AUDIENCE: 'invalid_audience'
}

const RISC_TYPES = 'https://schemas.openid.net/secevent/risc/event-type/'
const OAUTH_TYPES = 'https://schemas.openid.net/secevent/oauth/event-type/'
const KNOWN: Record<string, SecurityEventType> = Object.fromEntries([
  ...(['sessions-revoked', 'account-disabled', 'account-enabled', 'account-credential-change-required', 'verification'] as const).map((type) => [RISC_TYPES + type, type]),
  ...(['tokens-revoked', 'token-revoked'] as const).map((type) => [OAUTH_TYPES + type, type])
])

/** Longest `jti` taken (Google's are 32 hex characters). */
const MAX_JTI = 256

/** Whether `signature` is the RS256 signature of `signed` by `key`. */
function signedBy (key: KeyObject, signed: Buffer, signature: Buffer): boolean {
  try {
    return verifySignature('RSA-SHA256', signed, key, signature)
  } catch {
    return false
  }
}

const text = (value: unknown): string | null => typeof value === 'string' && value !== '' ? value : null

/** One event of the token as the app sees it: a known type needs its subject (a user, or a token). */
function eventOf (uri: string, body: unknown, jti: string, issuedAt: number): SecurityEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw pluginError('SECURITY_EVENT_MALFORMED', 'event-not-object')
  const claims = body as Record<string, unknown>
  const type = KNOWN[uri] ?? uri
  const subject = claims.subject as { subject_type?: unknown, sub?: unknown } | undefined
  const userId = subject?.subject_type === 'iss-sub' ? text(subject.sub) : null
  const needsUser = type !== 'verification' && type !== 'token-revoked' && KNOWN[uri] !== undefined
  if (needsUser && userId === null) throw pluginError('SECURITY_EVENT_MALFORMED', 'event-without-subject')
  return Object.freeze({
    type,
    uri,
    userId,
    reason: text(claims.reason),
    state: typeof claims.state === 'string' ? claims.state : null,
    id: jti,
    issuedAt,
    claims: Object.freeze({ ...claims })
  })
}

/**
 * Verifies a security event token (RFC 8417, delivered as RFC 8935 says) from Google: a compact
 * JWS, RS256 with a `kid` of Google's key set, `iss` the RISC configuration's issuer, `aud` one of
 * `audiences`, `iat` and `jti` present, and an `events` object of at least one event. `exp` is not
 * required (events describe the past). Each refusal is one of the SECURITY_EVENT_* errors.
 */
export async function verifySecurityEvent (token: string, configuration: RiscConfiguration, audiences: readonly string[]): Promise<SecurityEvent[]> {
  // The algorithm first: an unsigned token (`alg: none`, no signature) is refused as such, not as malformed.
  refuseOtherAlgorithms(token)
  let decoded
  try {
    decoded = decodeJws(token)
  } catch {
    throw pluginError('SECURITY_EVENT_MALFORMED', 'not-a-jws')
  }
  const { header, claims, signed, signature } = decoded
  if (header.alg !== 'RS256') throw pluginError('SECURITY_EVENT_ALGORITHM', `alg-${String(header.alg).slice(0, 10).replace(/[^\w-]/g, '')}`)
  if (typeof header.kid !== 'string' || header.kid === '') throw pluginError('SECURITY_EVENT_ALGORITHM', 'no-kid')
  if (header.crit !== undefined) throw pluginError('SECURITY_EVENT_MALFORMED', 'crit')
  let key: KeyObject
  try {
    key = await configuration.keyFor(header.kid)
  } catch (error) {
    // Not in Google's key set (after a fresh download); a download that failed is Google's fault (502/504).
    if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID') throw pluginError('SECURITY_EVENT_UNKNOWN_KEY', 'unknown-kid')
    throw error
  }
  if (!signedBy(key, signed, signature)) throw pluginError('SECURITY_EVENT_SIGNATURE', 'bad-signature')
  if (claims.iss !== configuration.issuer) throw pluginError('SECURITY_EVENT_ISSUER', 'iss')
  const aud = claims.aud
  const audienceOk = typeof aud === 'string' ? audiences.includes(aud) : Array.isArray(aud) && aud.some((value) => typeof value === 'string' && audiences.includes(value))
  if (!audienceOk) throw pluginError('SECURITY_EVENT_AUDIENCE', 'aud')
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) throw pluginError('SECURITY_EVENT_MALFORMED', 'no-iat')
  const jti = claims.jti
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI) throw pluginError('SECURITY_EVENT_MALFORMED', 'no-jti')
  const events = claims.events
  if (typeof events !== 'object' || events === null || Array.isArray(events) || Object.keys(events).length === 0) {
    throw pluginError('SECURITY_EVENT_NO_EVENTS', 'no-events')
  }
  const issuedAt = claims.iat * 1000
  return Object.entries(events as Record<string, unknown>).map(([uri, body]) => eventOf(uri, body, jti, issuedAt))
}

/** Refuses a token whose header names another algorithm than RS256 (a header that does not decode is left to `decodeJws`). */
function refuseOtherAlgorithms (token: string): void {
  const head = token.slice(0, Math.max(0, token.indexOf('.')))
  let header: unknown
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'))
  } catch {
    return
  }
  const alg = (header as { alg?: unknown } | null)?.alg
  if (typeof header === 'object' && header !== null && alg !== 'RS256') throw pluginError('SECURITY_EVENT_ALGORITHM', `alg-${String(alg).slice(0, 10).replace(/[^\w-]/g, '')}`)
}

/** The RFC 8935 answer of a refused delivery: `err` and `description`, and the plugin's `code`. */
export function setErrorBody (failure: PluginError): { err: SetErrorCode | string, description: string, code: string } {
  const name = errorNameOf(failure.code)
  return { err: (name === null ? undefined : SET_ERRORS[name]) ?? (failure.statusCode < 500 ? 'invalid_request' : 'temporarily_unavailable'), description: failure.message, code: failure.code }
}
