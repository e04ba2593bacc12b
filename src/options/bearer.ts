import type { BearerOptions, ResolvedOptions } from '../options.js'
import { invalid, positiveInteger, readBoolean, show } from './checks.js'

/** Client ids: non-empty strings without spaces. */
function readClientIds (name: string, value: unknown): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || !/^[^\s]{1,255}$/.test(id))) {
    throw invalid(`options.${name} must be an array of OAuth client ids such as ["1234-abc.apps.googleusercontent.com"] (got ${show(value)}).`)
  }
  return value as string[]
}

/** Bearer ID tokens: which audiences and authorized parties are ours, the cache, nonces. */
export function readBearer (value: unknown, clientId: string): ResolvedOptions['bearer'] {
  if (value === undefined || value === false) return null
  if (value === true) return { audiences: [clientId], authorizedParties: [clientId], cacheSize: 10_000, acceptNonce: false }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`options.bearer must be true, false or { audiences, authorizedParties, cacheSize, acceptNonce } (got ${show(value)}).`)
  const raw = value as BearerOptions
  const unknown = Object.keys(raw).filter((key) => !['audiences', 'authorizedParties', 'cacheSize', 'acceptNonce'].includes(key))
  if (unknown.length > 0) throw invalid(`options.bearer.${unknown[0]!} is not a setting of bearer; use audiences, authorizedParties, cacheSize or acceptNonce.`)
  const audiences = [...new Set([clientId, ...readClientIds('bearer.audiences', raw.audiences)])]
  return {
    audiences,
    // A web client's own tokens name it as their authorized party too.
    authorizedParties: [...new Set([...audiences, ...readClientIds('bearer.authorizedParties', raw.authorizedParties)])],
    cacheSize: positiveInteger('bearer.cacheSize', raw.cacheSize, 10_000),
    acceptNonce: readBoolean('bearer.acceptNonce', raw.acceptNonce) ?? false
  }
}
