import { createHash } from 'node:crypto'

/**
 * `hash_base64_sha512_sha512`, how Google's `token-revoked` may name a refresh token: base64 of
 * SHA-512 of the SHA-512 digest of the token.
 */
export function doubleSha512 (token: string): string {
  return createHash('sha512').update(createHash('sha512').update(token).digest()).digest('base64')
}
