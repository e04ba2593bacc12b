import type { FastifyRequest } from 'fastify'
import type { OAuth2ClientOptions } from 'google-auth-library'
import { LRUCache } from 'lru-cache'
import type { Sessions } from './session/index.js'
import { UserGoogleClient, type SharedRefresh } from './user-google-client.js'

/**
 * Hands out `request.googleAuth`: a client per request, sharing per session (in this process) the
 * refresh in flight and the last refresh's result, so that concurrent requests of one user make
 * one token refresh, whichever kind of session holds the tokens.
 */
export function createUserClients (sessions: Sessions, clientOptions: OAuth2ClientOptions) {
  const shared = new LRUCache<string, SharedRefresh>({ max: 10_000, ttl: 15 * 60_000 })

  return function clientFor (request: FastifyRequest): UserGoogleClient | null {
    let tokens = sessions.tokens(request)
    const handle = sessions.tokenOwner(request)
    if (tokens === null || handle === null) return null
    let state = shared.get(handle.key)
    if (state === undefined) {
      state = { refreshing: null, replaced: null }
      shared.set(handle.key, state)
    } else if (state.replaced?.accessToken === tokens.accessToken) {
      // This request read the session before another request's refresh was written: use its result.
      tokens = state.replaced.by
      handle.owner.adopt(tokens)
    }
    return new UserGoogleClient(clientOptions, tokens, handle.owner, state)
  }
}
