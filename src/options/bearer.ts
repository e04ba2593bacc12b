import type { BearerSettings } from './resolved.js'
import { count, flag, flagOrSettings, list, type ListRule, type Settings } from './readers.js'

/** Client ids: non-empty strings without spaces. */
const CLIENT_IDS: ListRule = { of: 'OAuth client ids such as ["1234-abc.apps.googleusercontent.com"]', test: (id) => /^[^\s]{1,255}$/.test(id) }

const BEARER = {
  audiences: list(CLIENT_IDS),
  authorizedParties: list(CLIENT_IDS),
  cacheSize: count(10_000),
  acceptNonce: flag(false)
}

/** Bearer ID tokens: which audiences and authorized parties besides `clientId`, the cache, nonces. */
export const readBearer = flagOrSettings(BEARER)

/** The `bearer` settings with the app's own client accepted too. */
export function bearerFor (bearer: Settings<typeof BEARER> | null, clientId: string): BearerSettings | null {
  if (bearer === null) return null
  const audiences = [...new Set([clientId, ...bearer.audiences])]
  return {
    audiences,
    // A web client's own tokens name it as their authorized party too.
    authorizedParties: [...new Set([...audiences, ...bearer.authorizedParties])],
    cacheSize: bearer.cacheSize,
    acceptNonce: bearer.acceptNonce
  }
}
