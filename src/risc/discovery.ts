import { gaxios } from 'google-auth-library'
import type { KeyObject } from 'node:crypto'
import type { Timers } from '../deadline.js'
import { isPluginError, pluginError, type PluginError } from '../errors.js'
import { googleFailure } from '../google/client.js'
import { googleAuthFetch } from '../google/fetch.js'
import { googleKeys } from '../google/key-set.js'
import { secureUrl } from '../options/checks.js'

/** What security event tokens are checked against: the issuer, and the key of a `kid`. */
export interface RiscConfiguration {
  issuer: string
  keyFor (kid: string): Promise<KeyObject>
}

export interface RiscDiscoveryOptions {
  /** Google's RISC discovery document (`endpoints.riscConfiguration`). */
  url: string
  /** Deadline of each download (ms). */
  timeout: number
  now: () => number
  clock: Timers
}

/** How long the discovery document is used before it is read again. */
const CONFIGURATION_MAX_AGE = 60 * 60_000

const badDocument = (why: string): PluginError => pluginError('GOOGLE_BAD_RESPONSE', `risc-configuration:${why}`)

/**
 * Google's RISC configuration, read from its discovery document when first needed and again
 * after an hour (a failed read fails the delivery: 502/504, and Google delivers again later).
 * The document's `jwks_uri` is Google's key set: its keys come through the same bounded,
 * proxy-aware download as ID tokens' (`key-set.ts`), one key set per URL.
 */
export function riscDiscovery (options: RiscDiscoveryOptions): () => Promise<RiscConfiguration> {
  const transporter = new gaxios.Gaxios({ fetchImplementation: googleAuthFetch([options.url], { clock: options.clock, ms: options.timeout }) })
  const keySets = new Map<string, (kid: string) => Promise<KeyObject>>()
  let current: { configuration: RiscConfiguration, at: number } | null = null
  let pending: Promise<RiscConfiguration> | null = null

  async function read (): Promise<RiscConfiguration> {
    let body: unknown
    try {
      const response = await transporter.request<string>({ url: options.url, headers: { accept: 'application/json' }, responseType: 'text', retry: false, validateStatus: () => true })
      if (response.status !== 200) throw badDocument(`http-${response.status}`)
      body = JSON.parse(response.data)
    } catch (error) {
      if (isPluginError(error)) throw error
      if (error instanceof SyntaxError) throw badDocument('invalid')
      throw googleFailure(error, 'risc-configuration')
    }
    const document = body as { issuer?: unknown, jwks_uri?: unknown } | null
    const jwksUrl = secureUrl(document?.jwks_uri)
    if (typeof document?.issuer !== 'string' || document.issuer === '' || jwksUrl === null) throw badDocument('invalid')
    let keyFor = keySets.get(jwksUrl)
    if (keyFor === undefined) {
      keyFor = googleKeys({ jwksUrl, timeout: options.timeout, now: options.now, clock: options.clock })
      keySets.set(jwksUrl, keyFor)
    }
    const configuration = { issuer: document.issuer, keyFor }
    current = { configuration, at: options.now() }
    return configuration
  }

  return async () => {
    if (current !== null && options.now() - current.at < CONFIGURATION_MAX_AGE) return current.configuration
    pending ??= read().finally(() => { pending = null })
    return await pending
  }
}
