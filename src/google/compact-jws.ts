import { pluginError } from '../errors.js'

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

/** A compact JWS taken apart: its header and claims, and what its signature covers. */
interface DecodedJws {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  signed: Buffer
  signature: Buffer
}

/**
 * The header and claims of a compact JWS, and what its signature covers; refused (ID_TOKEN_INVALID,
 * `malformed`) when it is not one, or not spelled canonically (an empty signature included).
 */
export function decodeJws (token: string): DecodedJws {
  const parts = canonicalParts(token)
  if (parts === null) throw pluginError('ID_TOKEN_INVALID', 'malformed')
  const header = jsonObject(parts[0])
  const claims = header === null ? null : jsonObject(parts[1])
  if (header === null || claims === null) throw pluginError('ID_TOKEN_INVALID', 'malformed')
  // The claims checked are decoded from the very bytes the signature covers.
  return { header, claims, signed: Buffer.from(`${parts[0]}.${parts[1]}`), signature: Buffer.from(parts[2], 'base64url') }
}
