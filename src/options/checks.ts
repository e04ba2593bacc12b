import { pluginError } from '../errors.js'

/**
 * The checks under the readers (`readers.ts`), also used by the stores' own options: each fails
 * with a message that names the option, what it got and the fix, never echoing a credential.
 */

export const invalid = (message: string): Error => pluginError('INVALID_OPTION', undefined, message)

export const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (value === undefined) return 'nothing'
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : `${typeof value} ${String(value)}`
}

export function nonEmptyString (name: string, value: unknown, hint: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`options.${name} must be a non-empty string (got ${show(value)}). ${hint}`)
  }
  return value
}

/** The longest delay Node's timers keep: a longer one overflows and fires after 1 ms. */
export const MAX_MS = 2_147_483_647

export function positiveInteger (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(`options.${name} must be a positive integer (got ${show(value)}).`)
  }
  return value
}

export function parseUrl (name: string, value: unknown, hint: string): URL {
  const given = nonEmptyString(name, value, hint)
  // What messages show of it: never a user or password written into the URL.
  const text = given.replace(/\/\/[^/?#@]*@/, '//[credentials]@')
  let url: URL
  try {
    url = new URL(given)
  } catch {
    throw invalid(`options.${name} must be an absolute URL such as "https://app.example.com/…" (got ${show(text)}). ${hint}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`options.${name} must use https (got ${show(text)}).`)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw invalid(`options.${name} uses plain http on a non-loopback host (got ${show(text)}). Use https; plain http is only allowed for localhost and 127.0.0.1.`)
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw invalid(`options.${name} must not contain credentials or a #fragment (got ${show(text)}).`)
  }
  return url
}

/** True for hosts that never leave the machine (plain http is acceptable there). */
export function isLoopbackHost (hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/** `value` as a URL (its href) when it is https, or plain http on a loopback host; null otherwise. */
export function secureUrl (value: unknown): string | null {
  if (typeof value !== 'string') return null
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)) ? url.href : null
  } catch {
    return null
  }
}
