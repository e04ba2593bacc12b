import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** `bytes` random bytes, base64url: state, nonce, verifier, session ids, browser bindings. */
export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url')

/** base64url(SHA-256(value)): the PKCE S256 challenge, and how values are hashed into names. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url')

/** Compares two secrets in constant time (for equal lengths). */
export function sameText (a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
