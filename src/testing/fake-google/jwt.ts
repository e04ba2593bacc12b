import { createHash, createHmac, sign as rsaSign, type KeyObject } from 'node:crypto'

/** base64url without padding. */
function base64url (data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

/** How to sign a JWT. */
export type JwtSigner =
  | { kind: 'rs256'; key: KeyObject }
  | { kind: 'hs256'; secret: string }
  | { kind: 'none' }

/**
 * Serializes a JWT: `base64url(header).base64url(claims).signature`.
 * The header is used as given (its `alg` is not checked against the signer: tampering is allowed).
 */
export function encodeJwt (header: Record<string, unknown>, claims: Record<string, unknown>, signer: JwtSigner): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  switch (signer.kind) {
    case 'rs256':
      return `${signingInput}.${base64url(rsaSign('sha256', Buffer.from(signingInput), signer.key))}`
    case 'hs256':
      return `${signingInput}.${base64url(createHmac('sha256', signer.secret).update(signingInput).digest())}`
    case 'none':
      return `${signingInput}.`
  }
}

/** The `at_hash` claim: base64url of the left half of SHA-256 of the access token. */
export function accessTokenHash (accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest()
  return base64url(digest.subarray(0, digest.length / 2))
}

/** The S256 PKCE challenge of a verifier: base64url(SHA-256(verifier)). */
export function s256Challenge (verifier: string): string {
  return base64url(createHash('sha256').update(verifier, 'ascii').digest())
}
