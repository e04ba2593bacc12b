import { compactVerify, decodeProtectedHeader, EmbeddedJWK, importJWK, type JWK } from 'jose'
import { pluginError, type PluginError } from '../errors.js'
import { ALGORITHMS } from './headers.js'
import type { DeviceKey, DeviceKeyAlgorithm } from './types.js'

/** The longest proof taken: an RS256 proof with a 4096-bit key in its header is about 1.6 KB. */
export const MAX_PROOF_LENGTH = 8192

/** The JWS `typ` of a DBSC proof. */
const PROOF_TYPE = 'dbsc+jwt'

const refused = (reason: string): PluginError => pluginError('DEVICE_PROOF_INVALID', reason)

/** The header, before the signature is checked: a JWS of DBSC's type and an allowed algorithm. */
function checkedHeader (jws: string): { alg: DeviceKeyAlgorithm, jwk?: unknown } {
  let header
  try {
    header = decodeProtectedHeader(jws)
  } catch {
    throw pluginError('DEVICE_BINDING_MALFORMED', 'proof-not-a-jws')
  }
  if (header.typ !== PROOF_TYPE) throw refused('proof-type')
  if (!(ALGORITHMS as readonly unknown[]).includes(header.alg)) throw refused('proof-algorithm')
  return header as { alg: DeviceKeyAlgorithm, jwk?: unknown }
}

/** The signed payload: its challenge (`jti`) and, in a registration, the `authorization` it was given. */
function claimsOf (payload: Uint8Array): { challenge: string, authorization: string | null } {
  let claims: { jti?: unknown, authorization?: unknown }
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as { jti?: unknown }
  } catch {
    throw refused('proof-payload')
  }
  if (typeof claims !== 'object' || claims === null || typeof claims.jti !== 'string' || claims.jti === '') throw refused('proof-no-challenge')
  return { challenge: claims.jti, authorization: typeof claims.authorization === 'string' ? claims.authorization : null }
}

/** Only the public members the algorithm needs: what is stored, and compared. */
function publicMembers (alg: DeviceKeyAlgorithm, jwk: JWK): DeviceKey['jwk'] {
  if (alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }
  if (alg === 'RS256' && jwk.kty === 'RSA' && typeof jwk.n === 'string' && typeof jwk.e === 'string') return { kty: 'RSA', n: jwk.n, e: jwk.e }
  throw refused('proof-key-type')
}

/**
 * A registration's proof: signed by the public key in its own header (`jwk`), which becomes the
 * session's device key. jose checks the signature (ES256 as raw r||s), that the key is public and
 * fits the algorithm, and RSA keys of at least 2048 bits.
 */
export async function verifyRegistration (jws: string): Promise<{ key: DeviceKey, challenge: string, authorization: string | null }> {
  const header = checkedHeader(jws)
  if (typeof header.jwk !== 'object' || header.jwk === null) throw refused('proof-no-key')
  let verified
  try {
    verified = await compactVerify(jws, EmbeddedJWK, { algorithms: [...ALGORITHMS] })
  } catch {
    throw refused('proof-signature')
  }
  const key = { alg: header.alg, jwk: publicMembers(header.alg, header.jwk as JWK) }
  return { key, ...claimsOf(verified.payload) }
}

/**
 * A refresh's proof: signed by the session's device key, with its algorithm. A key in the proof's
 * header is ignored: only the key registered first verifies (a proof signed by another key fails).
 */
export async function verifyRefresh (jws: string, key: DeviceKey): Promise<string> {
  const header = checkedHeader(jws)
  if (header.alg !== key.alg) throw refused('proof-algorithm-changed')
  let stored
  try {
    stored = await importJWK({ ...key.jwk }, key.alg)
  } catch {
    // A stored key that no longer imports (the record was changed outside the plugin): no proof can renew the session.
    throw refused('device-key-unusable')
  }
  let verified
  try {
    verified = await compactVerify(jws, stored, { algorithms: [key.alg] })
  } catch {
    throw refused('proof-signature')
  }
  return claimsOf(verified.payload).challenge
}
