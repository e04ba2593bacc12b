import { createHash, generateKeyPair, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import { promisify } from 'node:util'

/** An RSA signing key and its published form. */
export interface SigningKey {
  /** Key ID: hex SHA-1 of the public key's DER, 40 characters like Google's. */
  kid: string
  privateKey: KeyObject
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as published by the PEM certs endpoint. */
  publicKeyPem: string
  /** JWK, as published by the JWKS endpoint. */
  jwk: JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' }
}

const generateKeyPairAsync = promisify(generateKeyPair)
const RSA = { modulusLength: 2048, publicExponent: 0x10001 } as const

function toSigningKey ({ publicKey, privateKey }: { publicKey: KeyObject; privateKey: KeyObject }): SigningKey {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  const kid = createHash('sha1').update(der).digest('hex')
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256' as const, use: 'sig' as const }
  return { kid, privateKey, publicKeyPem, jwk }
}

/** Generates a fresh RSA 2048 key (blocking, tens of milliseconds). */
function createSigningKey (): SigningKey {
  return toSigningKey(generateKeyPairSync('rsa', RSA))
}

async function createSigningKeyAsync (): Promise<SigningKey> {
  return toSigningKey(await generateKeyPairAsync('rsa', RSA))
}

let startupKeys: Promise<[SigningKey, SigningKey]> | undefined
let rogueKey: SigningKey | undefined

/**
 * The two published keys, generated once per process and shared by every fake started in it, to
 * keep test suites fast. Keys made by rotation are always new.
 */
export async function startupSigningKeys (): Promise<[SigningKey, SigningKey]> {
  startupKeys ??= Promise.all([createSigningKeyAsync(), createSigningKeyAsync()])
  return await startupKeys
}

/** The key that signs forgeries (`'rogue-key'`), never published: made on first use (most suites forge nothing), then shared. */
function rogueSigningKey (): SigningKey {
  rogueKey ??= createSigningKey()
  return rogueKey
}

/** The current signing key and the other published one, like Google's pair. */
export class KeyRing {
  #current: SigningKey
  #other: SigningKey

  constructor (current: SigningKey, other: SigningKey) {
    this.#current = current
    this.#other = other
  }

  /** The unpublished key that signs forgeries. */
  get rogue (): SigningKey {
    return rogueSigningKey()
  }

  /** The key signing ID tokens now. */
  get current (): SigningKey {
    return this.#current
  }

  /** A new key becomes current; the current one stays published as the previous key. */
  rotate (): void {
    this.#other = this.#current
    this.#current = createSigningKey()
  }

  /** `{ kid: PEM }` for both published keys, current first. */
  pemMap (): Record<string, string> {
    return { [this.#current.kid]: this.#current.publicKeyPem, [this.#other.kid]: this.#other.publicKeyPem }
  }

  /** A JWK Set of both published keys, current first. */
  jwks (): { keys: SigningKey['jwk'][] } {
    return { keys: [this.#current.jwk, this.#other.jwk] }
  }
}
