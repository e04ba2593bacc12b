import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { UserGoogleClient } from '../google/user-client.js'
import type { GoogleTokens, GoogleUser } from '../types.js'
import type { Identity } from './identity.js'

const kGoogleAuth = Symbol('fastify-google-oauth.googleAuth')
type WithClient = FastifyRequest & { [kGoogleAuth]: UserGoogleClient | null | undefined }

/**
 * `request.googleUser`, `request.googleTokens` and `request.googleAuth`: getters over who the
 * request is (no I/O), the Google client made on first use and kept for the request.
 */
export function decorateRequests (fastify: FastifyInstance, identity: Identity, clientFor: (request: FastifyRequest) => UserGoogleClient | null): void {
  fastify.decorateRequest('googleUser', {
    getter (this: FastifyRequest): GoogleUser | null {
      return identity.user(this)
    }
  })
  fastify.decorateRequest('googleTokens', {
    getter (this: FastifyRequest): GoogleTokens | null {
      return identity.tokens(this)
    }
  })
  fastify.decorateRequest(kGoogleAuth, undefined)
  fastify.decorateRequest('googleAuth', {
    getter (this: FastifyRequest): UserGoogleClient | null {
      const request = this as WithClient
      // No client without Google access: signed out, a Bearer token, or Google's button until a grant.
      if (request[kGoogleAuth] === undefined) request[kGoogleAuth] = identity.tokens(request) === null ? null : clientFor(request)
      return request[kGoogleAuth]
    }
  })
}
