import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Authenticated encryption (AES-256-GCM) for small values the browser carries but must not read
 * or change. Keys derive from the session secrets with HKDF, one per purpose; the first secret
 * seals, all of them open (rotation).
 */
export interface SealedBox {
  seal (plaintext: string, context: string): string
  /** The plaintext, or null when the value was tampered with, truncated, or sealed with an unknown key. */
  open (sealed: string, context: string): string | null
}

const IV_BYTES = 12
const TAG_BYTES = 16

export function createSealedBox (secrets: readonly string[], purpose: string): SealedBox {
  const keys = secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, 'fastify-google-oauth', purpose, 32)))
  const [sealingKey] = keys as [Buffer, ...Buffer[]]

  return {
    seal (plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', sealingKey, iv)
      cipher.setAAD(Buffer.from(context))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')
    },
    open (sealed, context) {
      const raw = Buffer.from(sealed, 'base64url')
      if (raw.length <= IV_BYTES + TAG_BYTES) return null
      const iv = raw.subarray(0, IV_BYTES)
      const tag = raw.subarray(raw.length - TAG_BYTES)
      const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES)
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
          decipher.setAAD(Buffer.from(context))
          decipher.setAuthTag(tag)
          return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
        } catch {
          // wrong key or tampered value: try the next key
        }
      }
      return null
    }
  }
}
