import { safeReturnTo } from '../sign-in/return-to.js'
import { invalid, MAX_MS, nonEmptyString, parseUrl, positiveInteger, show } from './checks.js'

/**
 * The kinds of option, each read one way: a reader checks the value the app gave and applies the
 * default that depends on no other option. `name` is the option's path in messages (`cookie.name`);
 * `options` are all the options as given, for the rare message that names another one.
 */
export type Reader<T> = (value: unknown, name: string, options: Readonly<Record<string, unknown>>) => T

/** `a`, `a or b`, `a, b or c`. */
const either = (words: readonly string[]): string =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`

/** A string, refused when empty; `undefined` when not given. */
export const text = (hint = 'Remove it or give a string.'): Reader<string | undefined> =>
  (value, name) => value === undefined ? undefined : nonEmptyString(name, value, hint)

/** An absolute https URL (plain http on a loopback host), never echoing credentials. */
export const url = (hint = ''): Reader<URL> => (value, name) => parseUrl(name, value, hint)

/** `true` or `false`. */
export const flag = <F extends boolean | undefined>(fallback: F): Reader<boolean | F> => (value, name) => {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalid(`options.${name} must be true or false (got ${show(value)}).`)
  return value
}

/** A positive integer (a count of things kept). */
export const count = (fallback: number): Reader<number> => (value, name) => positiveInteger(name, value, fallback)

/**
 * What `false` does for a duration option: `{ off }` says what it means where the option can be
 * turned off (read as Infinity, so that no timer is ever set for it); `{ required }` says why the
 * others cannot be.
 */
export type WhenFalse = { off: string } | { required: string }

/**
 * A duration: a whole number of milliseconds from 1 to {@link MAX_MS}. Timers, lru-cache's TTLs
 * and `AbortSignal.timeout` take nothing else (a fraction throws in the last two).
 */
export const ms = <F extends number | undefined>(fallback: F, whenFalse: WhenFalse): Reader<number | F> => (value, name) => {
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

/** A plain path on the app's own site (what `safeReturnTo` keeps as it is). */
export const localPath = <F extends string | undefined>(fallback: F): Reader<string | F> => (value, name) => {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || safeReturnTo(value, '') !== value) {
    throw invalid(`options.${name} must be a plain path on this site such as "/welcome" (got ${show(value)}).`)
  }
  return value
}

/** One of a few strings. */
export const oneOf = <const V extends string>(values: readonly V[], fallback: V): Reader<V> => (value, name) => {
  if (value === undefined) return fallback
  if (!(values as readonly unknown[]).includes(value)) throw invalid(`options.${name} must be ${either(values.map((v) => `'${v}'`))} (got ${show(value)}).`)
  return value as V
}

/** One of the app's functions, `null` when not given; with `orFalse`, `false` turns the feature off. */
export function hook<F> (what?: string): Reader<F | null>
export function hook<F> (what: string, orFalse: true): Reader<F | false | null>
export function hook<F> (what = 'a function', orFalse = false): Reader<F | false | null> {
  return (value, name) => {
    if (value === undefined) return null
    if (orFalse && value === false) return false
    if (typeof value !== 'function') throw invalid(`options.${name} must be ${orFalse ? 'false or ' : ''}${what} (got ${show(value)}).`)
    return value as F
  }
}

/** What the strings of a list option are. */
export interface ListRule {
  /** What the items are, for messages: `domains such as ["example.com"]`. */
  of: string
  test: (item: string) => boolean
  /** How an item is kept (lower-cased, say), before `test`; duplicates after it are dropped. */
  normalise?: (item: string) => string
  /** Refuse an empty list: it would admit nobody, or look as if it admitted everybody. */
  nonEmpty?: boolean
  /** A single string stands for a list of one. */
  single?: boolean
  /** What else the option takes, for messages: `'true, false, or '`. */
  or?: string
}

/** An array of strings each passing `rule.test`, without duplicates; `[]` when not given. */
export const list = (rule: ListRule): Reader<string[]> => (value, name) => {
  if (value === undefined) return []
  const items = rule.single === true && typeof value === 'string' ? [value] : value
  const normalise = rule.normalise ?? ((item: string) => item)
  if (!Array.isArray(items) || (rule.nonEmpty === true && items.length === 0) ||
    items.some((item) => typeof item !== 'string' || !rule.test(normalise(item)))) {
    throw invalid(`options.${name} must be ${rule.or ?? ''}${rule.nonEmpty === true ? 'a non-empty array' : 'an array'} of ${rule.of} (got ${show(value)}).`)
  }
  return [...new Set((items as string[]).map(normalise))]
}

/** What an object option's readers give: one value per key. */
export type Settings<R extends Record<string, Reader<unknown>>> = { [K in keyof R]: ReturnType<R[K]> }

/** How an object option names itself in messages. */
export interface SettingsWords {
  /** What a key is, in "options.cookie.domain is not …": default `a setting of <option>`. */
  noun?: string
  /** Said after the list of keys for an unknown one, e.g. why others are not taken. */
  note?: (key: string) => string
  /** What else the option takes, for messages: `'true, false or '`. */
  or?: string
}

/**
 * An object of known keys, each read by its own reader (a missing key gets that reader's default;
 * a missing object, every default); any other key is refused, naming the ones there are.
 */
export const settings = <R extends Record<string, Reader<unknown>>>(readers: R, words: SettingsWords = {}): Reader<Settings<R>> => {
  const keys = Object.keys(readers)
  return (value, name, options) => {
    const given = value === undefined ? {} : value
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      throw invalid(`options.${name} must be ${words.or ?? ''}{ ${keys.join(', ')} } (got ${show(value)}).`)
    }
    for (const key of Object.keys(given)) {
      if (!keys.includes(key)) throw invalid(`options.${name}.${key} is not ${words.noun ?? `a setting of ${name}`}; use ${either(keys)}${words.note?.(key) ?? ''}.`)
    }
    const read: Record<string, unknown> = {}
    for (const key of keys) read[key] = readers[key]!((given as Record<string, unknown>)[key], `${name}.${key}`, options)
    return read as Settings<R>
  }
}

/** `true` (every setting's default), `false` or left out (`null`: off), or an object of known keys. */
export const flagOrSettings = <R extends Record<string, Reader<unknown>>>(readers: R, words: SettingsWords = {}): Reader<Settings<R> | null> => {
  const read = settings(readers, { or: 'true, false or ', ...words })
  return (value, name, options) => value === undefined || value === false ? null : read(value === true ? {} : value, name, options)
}
