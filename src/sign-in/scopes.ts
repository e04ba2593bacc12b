import { pluginError } from '../errors.js'
import type { GoogleTokens } from '../types.js'

/** Google writes `email` and `profile` in their URL form in token responses; both mean the same. */
const ALIASES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile'
}

/** One scope as Google's token responses write it. */
const normaliseScope = (scope: string): string => ALIASES[scope] ?? scope

/** A scope as Google accepts it: printable, no spaces or quotes, not too long. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]{1,300}$/

/** The query parameter a grant adds to `returnTo` when the person did not grant every scope asked for. */
const SCOPES_DENIED_PARAM = 'googleScopes'
const SCOPES_DENIED_VALUE = 'denied'

/** The scopes the session's tokens carry (normalised); none without tokens. */
export function grantedScopes (tokens: GoogleTokens | null): Set<string> {
  return new Set((tokens?.scope ?? '').split(' ').filter(Boolean).map(normaliseScope))
}

/** Those of `wanted` that `granted` lacks. */
export function missingScopes (wanted: readonly string[], granted: ReadonlySet<string>): string[] {
  return wanted.filter((scope) => !granted.has(normaliseScope(scope)))
}

/** `returnTo` with the marker saying that scopes asked for were not granted (so guards do not ask again at once). */
export function withScopesDenied (returnTo: string): string {
  if (saysScopesDenied(returnTo)) return returnTo
  // Before any #fragment, which the browser never sends back.
  const hash = returnTo.indexOf('#')
  const [path, fragment] = hash === -1 ? [returnTo, ''] : [returnTo.slice(0, hash), returnTo.slice(hash)]
  return `${path}${path.includes('?') ? '&' : '?'}${SCOPES_DENIED_PARAM}=${SCOPES_DENIED_VALUE}${fragment}`
}

/**
 * `returnTo` without that marker (once the scopes are granted). The rest of the URL is kept as it
 * was written: other parameters, their order and encoding, and any #fragment.
 */
export function withoutScopesDenied (returnTo: string): string {
  const hash = returnTo.indexOf('#')
  const [path, fragment] = hash === -1 ? [returnTo, ''] : [returnTo.slice(0, hash), returnTo.slice(hash)]
  const query = path.indexOf('?')
  if (query === -1) return returnTo
  const pairs = path.slice(query + 1).split('&')
  const kept = pairs.filter((pair) => !saysScopesDenied(`?${pair}`))
  if (kept.length === pairs.length) return returnTo
  return `${path.slice(0, query)}${kept.length === 0 ? '' : `?${kept.join('&')}`}${fragment}`
}

/** Whether a request URL carries that marker. */
export function saysScopesDenied (url: string): boolean {
  const query = url.indexOf('?')
  return query !== -1 && new URLSearchParams(url.slice(query + 1)).getAll(SCOPES_DENIED_PARAM).includes(SCOPES_DENIED_VALUE)
}

/**
 * The scopes the app may ask Google for after sign-in: its `scopes` and every `requireScopes`
 * guard's. The start route asks for no other, so a link cannot make the app ask for more.
 */
export function createScopeRegistry (configured: readonly string[]) {
  const allowed = new Set(configured.map(normaliseScope))
  return {
    /** Checks and adds a guard's scopes; throws INVALID_ARGUMENT, saying what is wrong. */
    add (scopes: unknown): string[] {
      if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((scope) => typeof scope !== 'string' || !SCOPE.test(scope))) {
        throw pluginError('INVALID_ARGUMENT', 'require-scopes', 'requireScopes(scopes): give a non-empty array of Google scopes, e.g. [\'https://www.googleapis.com/auth/calendar.readonly\'].')
      }
      for (const scope of scopes as string[]) allowed.add(normaliseScope(scope))
      return [...new Set(scopes as string[])]
    },
    /** The `scope` query parameter of a start request, checked: the extra scopes to ask for. */
    read (value: unknown): string[] {
      if (value === undefined) return []
      if (typeof value !== 'string' || value.length > 2000) throw pluginError('UNKNOWN_SCOPE', 'scope-param-malformed')
      const scopes = [...new Set(value.split(' ').filter(Boolean))]
      if (scopes.some((scope) => !allowed.has(normaliseScope(scope)))) throw pluginError('UNKNOWN_SCOPE', 'scope-not-allowed')
      return scopes
    }
  }
}

export type ScopeRegistry = ReturnType<typeof createScopeRegistry>
