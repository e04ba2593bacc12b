import { fail } from '../errors.js'
import { safeReturnTo } from '../sign-in/return-to.js'

/** The small checks every option goes through, each failing with a message that names the option and the fix. */

export const invalid = (message: string): Error => fail('INVALID_OPTION', undefined, message)

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

export function optionalString (name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  return nonEmptyString(name, value, 'Remove it or give a string.')
}

/** The longest delay Node's timers keep: a longer one overflows and fires after 1 ms. */
export const MAX_MS = 2_147_483_647

/**
 * What `false` does for a duration option: `{ off }` says what it means where the option can be
 * turned off (read as Infinity, so that no timer is ever set for it); `{ required }` says why the
 * others cannot be.
 */
export type WhenFalse = { off: string } | { required: string }

/**
 * A duration option: a whole number of milliseconds from 1 to {@link MAX_MS}. Timers, lru-cache's
 * TTLs and `AbortSignal.timeout` take nothing else (a fraction throws in the last two).
 */
export function readMs (name: string, value: unknown, fallback: number, whenFalse: WhenFalse): number {
  if (value === undefined) return fallback
  if (value === false && 'off' in whenFalse) return Infinity
  const fix = 'off' in whenFalse ? `Give false ${whenFalse.off}.` : `It cannot be turned off: ${whenFalse.required}.`
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(`options.${name} must be a whole number of milliseconds from 1 to ${MAX_MS} (got ${show(value)}). ${fix}`)
  }
  if (value > MAX_MS) {
    throw invalid(`options.${name} must be at most ${MAX_MS} ms (about 24.8 days), the longest delay Node's timers keep (got ${show(value)}). ${fix}`)
  }
  return value
}

export function readBoolean (name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`options.${name} must be true or false (got ${show(value)}).`)
  return value
}

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

export function readLocalPath (name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || safeReturnTo(value, '') !== value) {
    throw invalid(`options.${name} must be a plain path on this site such as "/welcome" (got ${show(value)}).`)
  }
  return value
}

/** True for hosts that never leave the machine (plain http is acceptable there). */
export function isLoopbackHost (hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}
