import { verify as verifySignature, type KeyObject } from 'node:crypto'
import type { Timers } from '../deadline.js'
import { pluginError } from '../errors.js'
import type { GoogleIdTokenClaims, GoogleUser } from '../types.js'
import { decodeJws } from './compact-jws.js'
import { checkClaims, checkTimes, type ExpectedToken } from './id-token-claims.js'
import { googleKeys } from './key-set.js'

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
  /** Our OAuth client id: the accepted audience (and authorized party) unless a verification names others. */
  clientId: string
  /** The time tokens are checked against, and the keys' age measured by (epoch ms). */
  now: () => number
  /** The timers the key download's deadline runs on (the plugin's clock); without them, the system's. */
  clock?: Timers | undefined
}

export interface IdTokenVerifier {
  /** Verifies an ID token: Google's signature, the standard claims, and what `expected` names. */
  verify (idToken: string, expected: ExpectedToken): Promise<VerifiedIdToken>
}

/**
 * Verifies ID tokens (OIDC Core §3.1.3.7) against Google's JSON Web Key Set: RS256 only, with the
 * key its `kid` names, checked with node:crypto on key objects imported once per download; a
 * download failure fails closed. (jose 6 verifies through WebCrypto only, which costs three times
 * as much per token: too slow for Bearer tokens, verified on requests.) The steps: the token's
 * spelling (`compact-jws.ts`), its header here, the key (`key-set.ts`), the signature here, then
 * the claims (`id-token-claims.ts`).
 */
export function createIdTokenVerifier (options: IdTokenVerifierOptions): IdTokenVerifier {
  const keyFor = googleKeys(options)
  return {
    async verify (idToken, expected) {
      const { header, claims, signed, signature } = decodeJws(idToken)
      // The header says how to check the token: only Google's way is accepted.
      if (header.alg !== 'RS256') throw pluginError('ID_TOKEN_INVALID', 'alg-not-rs256')
      if (typeof header.kid !== 'string' || header.kid === '') throw pluginError('ID_TOKEN_INVALID', 'no-kid')
      if (header.crit !== undefined) throw pluginError('ID_TOKEN_INVALID', 'crit')
      const key = await keyFor(header.kid)
      if (!signedBy(key, signed, signature)) throw pluginError('ID_TOKEN_INVALID', 'bad-signature')
      checkTimes(claims, Math.floor(options.now() / 1000))
      const audiences = expected.audiences ?? [options.clientId]
      const user = checkClaims(claims, { ...expected, audiences, authorizedParties: expected.authorizedParties ?? [options.clientId] })
      return { user, claims: Object.freeze(claims) as Readonly<GoogleIdTokenClaims> }
    }
  }
}

/** Whether `signature` is the RS256 signature of `signed` by `key` (a malformed signature is not). */
function signedBy (key: KeyObject, signed: Buffer, signature: Buffer): boolean {
  try {
    return verifySignature('RSA-SHA256', signed, key, signature)
  } catch {
    return false
  }
}
