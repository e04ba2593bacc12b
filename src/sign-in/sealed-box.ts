import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { deriveKey } from '../crypto.js'

/**
 * Authenticated encryption (AES-256-GCM) for small values the browser carries but must not read
 * or change. Keys derive from the session secrets with HKDF, one per purpose; the first secret
 * seals, all of them open (rotation). A sealed value names its key by a short id, so opening one
 * costs one decryption whatever the number of secrets.
 */
export interface SealedBox {
  seal (plaintext: string, context: string): string
  /** The plaintext, or null when the value was tampered with, truncated, or sealed with an unknown key. */
  open (sealed: string, context: string): string | null
}

const KEY_ID_BYTES = 4
const IV_BYTES = 12
const TAG_BYTES = 16

export function createSealedBox (secrets: readonly string[], purpose: string): SealedBox {
  const keys = secrets.map((secret) => {
    const key = deriveKey(secret, purpose)
    // The id reveals nothing of the key: a truncated MAC of a constant under it.
    return { key, id: createHmac('sha256', key).update('key-id').digest().subarray(0, KEY_ID_BYTES) }
  })
  const sealing = keys[0]!

  return {
    seal (plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', sealing.key, iv)
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return Buffer.concat([sealing.id, iv, body, cipher.getAuthTag()]).toString('base64url')
    },
    open (sealed, context) {
      const raw = Buffer.from(sealed, 'base64url')
      if (raw.length <= KEY_ID_BYTES + IV_BYTES + TAG_BYTES) return null
      const id = raw.subarray(0, KEY_ID_BYTES)
      const iv = raw.subarray(KEY_ID_BYTES, KEY_ID_BYTES + IV_BYTES)
      const tag = raw.subarray(raw.length - TAG_BYTES)
      const body = raw.subarray(KEY_ID_BYTES + IV_BYTES, raw.length - TAG_BYTES)
      for (const { key, id: keyId } of keys) {
        if (!keyId.equals(id)) continue
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
          decipher.setAAD(Buffer.from(context))
          decipher.setAuthTag(tag)
          return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
        } catch {
          // tampered value (or, once in 2^32, another key with the same id): try the next key
        }
      }
      return null
    }
  }
}
