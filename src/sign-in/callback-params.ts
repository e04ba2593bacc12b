import { pluginError } from '../errors.js'
import { GOOGLE_ISSUER } from '../google/endpoints.js'

/** The callback's query string after strict validation. */
export interface CallbackParams {
  code: string | null
  error: string | null
  iss: string | null
}

const MAX_QUERY_LENGTH = 4096
const MAX_VALUE_LENGTH = 2048
const CHECKED = ['code', 'error', 'iss', 'error_description', 'error_uri', 'scope', 'authuser', 'prompt', 'hd'] as const

/** Length of the raw query string of a request URL. */
const queryLengthOf = (url: string): number => {
  const index = url.indexOf('?')
  return index === -1 ? 0 : url.length - index - 1
}

/** The single, non-empty, bounded string value of a parameter; null when absent. */
function single (query: Record<string, unknown>, name: string): string | null {
  const value = query[name]
  if (value === undefined) return null
  if (typeof value !== 'string') throw pluginError('INVALID_CALLBACK', `${name}-repeated`)
  if (value === '') throw pluginError('INVALID_CALLBACK', `${name}-empty`)
  if (value.length > MAX_VALUE_LENGTH) throw pluginError('INVALID_CALLBACK', `${name}-oversized`)
  return value
}

/** The state parameter, checked before anything else so that the attempt it names is consumed. */
export function readState (query: Record<string, unknown>, rawUrl: string): string {
  if (queryLengthOf(rawUrl) > MAX_QUERY_LENGTH) throw pluginError('INVALID_CALLBACK', 'query-oversized')
  const state = query.state
  if (state === undefined || state === '') throw pluginError('STATE_MISSING', 'no-state')
  if (typeof state !== 'string') throw pluginError('INVALID_CALLBACK', 'state-repeated')
  if (state.length > 256) throw pluginError('INVALID_CALLBACK', 'state-oversized')
  return state
}

/** Everything else: repeated, empty or oversized parameters, a foreign `iss`, Google's `error`. */
export function readCallbackParams (query: Record<string, unknown>): CallbackParams {
  const values = Object.fromEntries(CHECKED.map((name) => [name, single(query, name)])) as Record<typeof CHECKED[number], string | null>
  if (values.iss !== null && values.iss !== GOOGLE_ISSUER) throw pluginError('ISSUER_MISMATCH', 'iss-param-differs')
  return { code: values.code, error: values.error, iss: values.iss }
}
