import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Sessions } from '../session/sessions.js'
import type { GoogleTokens, GoogleUser } from '../types.js'

const kBearerUser = Symbol('fastify-google-oauth.bearerUser')
type WithBearerUser = FastifyRequest & { [kBearerUser]: GoogleUser | null }

/**
 * Who a request is: the user of its session, or, with the `bearer` option, the user of its
 * `Authorization` header. A request that carries the header is never its cookie session's user,
 * even when the header turns out to be unusable: one request, one identity.
 */
export function createIdentity (fastify: FastifyInstance, sessions: Sessions, bearer: boolean) {
  // Declared on every request, so that setting it keeps requests' shape (and Fastify's speed).
  if (bearer) fastify.decorateRequest(kBearerUser, null)
  const byHeader = (request: FastifyRequest): boolean => bearer && request.headers.authorization !== undefined
  return {
    /** True when the request authenticates with its `Authorization` header (the `bearer` option is on and it has one). */
    byHeader,
    /** Records the user the guard verified the header for. */
    setBearerUser (request: FastifyRequest, user: GoogleUser): void {
      (request as WithBearerUser)[kBearerUser] = user
    },
    user: bearer
      ? (request: FastifyRequest): GoogleUser | null => (request as WithBearerUser)[kBearerUser] ?? (byHeader(request) ? null : sessions.user(request))
      : (request: FastifyRequest): GoogleUser | null => sessions.user(request),
    /**
     * The session's Google tokens: none for a request that authenticates by header, nor for a
     * session signed in with Google's button or One Tap until a grant (an ID token grants no access).
     */
    tokens (request: FastifyRequest): GoogleTokens | null {
      const tokens = byHeader(request) ? null : sessions.tokens(request)
      return tokens === null || tokens.accessToken === '' ? null : tokens
    }
  }
}

export type Identity = ReturnType<typeof createIdentity>
