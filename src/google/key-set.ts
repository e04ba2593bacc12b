import { gaxios } from 'google-auth-library'
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { pluginError, isPluginError, type PluginError } from '../errors.js'
import { googleFailure } from './client.js'
import type { Timers } from '../deadline.js'
import { googleAuthFetch } from './fetch.js'

interface KeySetOptions {
  /** Google's JSON Web Key Set URL. */
  jwksUrl: string
  /** Deadline for downloading the keys (ms). */
  timeout: number
  /** The clock the keys' age and the refetch interval are measured by (epoch ms). */
  now: () => number
  /** The timers the download's deadline runs on (the plugin's clock); without them, the system's. */
  clock?: Timers | undefined
}

/** How often an unknown `kid` may make us download Google's keys again (a forged kid must not flood Google). */
const REFETCH_INTERVAL = 30_000
/** How long downloaded keys are used; the next token after that downloads them again. */
const KEYS_MAX_AGE = 10 * 60_000

/** Why downloading the key set failed: Google (or the way to it) is at fault, so 502/504, never "invalid token". */
function downloadFailure (error: unknown): PluginError {
  if (isPluginError(error)) return error
  if (error instanceof SyntaxError) return pluginError('GOOGLE_BAD_RESPONSE', 'certs:invalid')
  return googleFailure(error, 'certs')
}

type KeySet = ReadonlyMap<string, KeyObject>

/** The RS256 signing keys of a JSON Web Key Set, of 2048 bits or more; anything else in it is ignored. */
function importKeys (body: unknown): KeySet {
  const list = (body as { keys?: unknown } | null)?.keys
  if (!Array.isArray(list)) throw pluginError('GOOGLE_BAD_RESPONSE', 'certs:invalid')
  const keys = new Map<string, KeyObject>()
  for (const jwk of list as JsonWebKey[] & Array<{ kid?: unknown }>) {
    if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.alg !== undefined && jwk.alg !== 'RS256') || (jwk.use !== undefined && jwk.use !== 'sig')) continue
    try {
      const key = createPublicKey({ key: jwk, format: 'jwk' })
      // No RSA key under 2048 bits (RFC 7518 §3.3).
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) keys.set(jwk.kid, key)
    } catch {
      // A key that does not import is not one of Google's.
    }
  }
  return keys
}

/**
 * Google's key set, as a lookup by `kid`: downloaded when first needed, used for 10 minutes, then
 * downloaded again by the next lookup; a `kid` it lacks (Google rotated its keys) makes it
 * download them again, such refetches at most every 30 s (else the `kid` is ID_TOKEN_INVALID,
 * `unknown-kid`). Concurrent downloads are one. A download that fails fails the lookup (no stale
 * keys are kept in use). The timing is the plugin's clock.
 */
export function googleKeys (options: KeySetOptions): (kid: string) => Promise<KeyObject> {
  let keys: KeySet | null = null
  let fetchedAt = -Infinity
  let refetchedAt = -Infinity
  let pending: Promise<KeySet> | null = null
  // Through gaxios, as google-auth-library's own calls go (proxy settings apply), with the 1 MB cap and no redirects.
  const transporter = new gaxios.Gaxios({
    fetchImplementation: googleAuthFetch([options.jwksUrl], options.clock === undefined ? undefined : { clock: options.clock, ms: options.timeout })
  })
  const download = (): Promise<KeySet> => {
    pending ??= (async () => {
      try {
        const response = await transporter.request<string>({
          url: options.jwksUrl,
          headers: { accept: 'application/json' },
          responseType: 'text',
          ...(options.clock === undefined && { timeout: options.timeout }),
          retry: false,
          validateStatus: () => true
        })
        if (response.status !== 200) throw pluginError('GOOGLE_BAD_RESPONSE', `certs:http-${response.status}`)
        const set = importKeys(JSON.parse(response.data))
        keys = set
        fetchedAt = options.now()
        return set
      } catch (error) {
        throw downloadFailure(error)
      } finally {
        pending = null
      }
    })()
    return pending
  }
  return async (kid) => {
    const current = keys !== null && options.now() - fetchedAt < KEYS_MAX_AGE ? keys : await download()
    const key = current.get(kid)
    if (key !== undefined) return key
    if (options.now() - refetchedAt < REFETCH_INTERVAL) throw pluginError('ID_TOKEN_INVALID', 'unknown-kid')
    refetchedAt = options.now()
    const again = (await download()).get(kid)
    if (again === undefined) throw pluginError('ID_TOKEN_INVALID', 'unknown-kid')
    return again
  }
}
