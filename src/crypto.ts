import * as crypto from 'node:crypto'
import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/** `bytes` random bytes, base64url: state, nonce, verifier, session ids, browser bindings. */
export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url')

/** Node's one-shot hash (Node 20.12+), about 2.5× faster than a Hash object for a short input. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash

/** base64url(SHA-256(value)): the PKCE S256 challenge, how values are hashed into names, the Bearer cache key. */
export const sha256 = oneShot === undefined
  ? (value: string): string => createHash('sha256').update(value).digest('base64url')
  : (value: string): string => oneShot('sha256', value, 'base64url')

/** Compares two secrets in constant time (for equal lengths). */
export function sameText (a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** A 256-bit key for one purpose, derived from a session secret with HKDF-SHA256 (one key per purpose and secret). */
export const deriveKey = (secret: string, purpose: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'fastify-google-oauth', purpose, 32))
