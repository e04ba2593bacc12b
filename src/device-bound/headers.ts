import type { DeviceKeyAlgorithm } from './types.js'

/**
 * The headers of Device Bound Session Credentials (W3C webappsec-dbsc), as Chromium sends and
 * reads them. Values the plugin writes are base64url (no quoting needed inside a quoted string).
 */

/** On a response: starts a registration (algorithms, path, challenge). */
export const REGISTRATION_HEADER = 'secure-session-registration'
/** On a request: the browser's proof, a compact JWS. */
export const RESPONSE_HEADER = 'secure-session-response'
/** On a response: the challenge the next proof must sign, and the session it is for. */
export const CHALLENGE_HEADER = 'secure-session-challenge'
/** On a refresh request: the session identifier the registration answer gave. */
export const SESSION_ID_HEADER = 'sec-secure-session-id'

/** The algorithms a device key may use: ES256, and RS256 with a modulus of 2048 bits or more. */
export const ALGORITHMS: readonly DeviceKeyAlgorithm[] = ['ES256', 'RS256']

/**
 * `Secure-Session-Registration: (ES256 RS256);path="…";challenge="…";authorization="…"`: the
 * browser signs `authorization` into its proof, which names the session even when the browser
 * does not send the session cookie with the registration (after a cross-site redirect chain).
 */
export const registrationHeader = (path: string, challenge: string, authorization: string): string =>
  `(${ALGORITHMS.join(' ')});path="${path}";challenge="${challenge}";authorization="${authorization}"`

/** `Secure-Session-Challenge: "<challenge>";id="<session identifier>"` */
export const challengeHeader = (challenge: string, sessionId: string): string => `"${challenge}";id="${sessionId}"`

/** What a header value the browser sends may hold: base64url and the dots of a JWS. */
const ITEM = /^[\w.-]+$/

/**
 * A header's single value, as a structured-field string ("…") or bare (Chromium 156 sends them
 * unquoted although the draft says strings): null when absent, repeated, too long or of other
 * characters.
 */
export function readItem (value: string | string[] | undefined, maxLength: number): string | null {
  if (typeof value !== 'string') return null
  let item = value.trim()
  if (item.length >= 2 && item.startsWith('"') && item.endsWith('"')) item = item.slice(1, -1)
  return item.length > 0 && item.length <= maxLength && ITEM.test(item) ? item : null
}
