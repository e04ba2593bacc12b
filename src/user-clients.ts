import type { FastifyRequest } from 'fastify'
import type { OAuth2ClientOptions } from 'google-auth-library'
import { LRUCache } from 'lru-cache'
import type { Sessions } from './session/index.js'
import { UserGoogleClient } from './user-google-client.js'

/**
 * Hands out `request.googleAuth`: one client per session in this process, so concurrent
 * requests of one user share one token refresh (google-auth-library de-duplicates refreshes
 * within a client).
 */
export function createUserClients (sessions: Sessions, clientOptions: OAuth2ClientOptions) {
  const shared = new LRUCache<string, UserGoogleClient>({ max: 1_000, ttl: 15 * 60_000 })

  return function clientFor (request: FastifyRequest): UserGoogleClient | null {
    const tokens = sessions.tokens(request)
    const handle = sessions.tokenOwner(request)
    if (tokens === null || handle === null) return null
    const existing = handle.key === null ? undefined : shared.get(handle.key)
    if (existing !== undefined) {
      existing.adopt(tokens)
      return existing
    }
    const client = new UserGoogleClient(clientOptions, tokens, handle.owner)
    if (handle.key !== null) shared.set(handle.key, client)
    return client
  }
}
