import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createGoogleClient, googleClientOptions } from './google/client.js'
import { createUserClients, type UserGoogleClient } from './google/user-client.js'
import { createIdTokenVerifier } from './google/verify-id-token.js'
import { checkGuardedRoutes, claimNames } from './http/decorators.js'
import { createGuard } from './http/guard.js'
import { resolveOptions, type GoogleOAuthOptions } from './options.js'
import { routes } from './routes/index.js'
import { registerSessions } from './session/index.js'
import { createLoginAttempts } from './sign-in/attempt.js'
import type { GoogleOAuthApi, GoogleTokens, GoogleUser } from './types.js'

const kGoogleAuth = Symbol('fastify-google-oauth.googleAuth')
type WithClient = FastifyRequest & { [kGoogleAuth]: UserGoogleClient | null | undefined }

async function googleOAuthPlugin (fastify: FastifyInstance, rawOptions: GoogleOAuthOptions): Promise<void> {
  const options = resolveOptions(rawOptions)
  // Before anything is added: a second registration or a name the app already uses stops here, saying what to do.
  claimNames(fastify, options.authenticateDecorator)
  for (const warning of options.warnings) fastify.log.warn(`fastify-google-oauth: ${warning}`)
  if (process.env.GOOGLE_SDK_NODE_LOGGING !== undefined) {
    fastify.log.warn('fastify-google-oauth: GOOGLE_SDK_NODE_LOGGING is set, so google-auth-library prints token responses to stderr; unset it in production')
  }
  const { sessions, ownSession } = await registerSessions(fastify, options)
  if (!ownSession && (rawOptions.store !== undefined || rawOptions.cookie !== undefined || rawOptions.maxSessions !== undefined || rawOptions.maxSessionsPerUser !== undefined)) {
    fastify.log.warn('fastify-google-oauth: the app registered @fastify/session itself, so its store and cookie settings apply; the plugin\'s store, cookie, maxSessions and maxSessionsPerUser options are ignored')
  }

  fastify.decorateRequest('googleUser', {
    getter (this: FastifyRequest): GoogleUser | null {
      return sessions.user(this)
    }
  })
  fastify.decorateRequest('googleTokens', {
    getter (this: FastifyRequest): GoogleTokens | null {
      return sessions.tokens(this)
    }
  })
  const clientFor = createUserClients(sessions, googleClientOptions(options))
  fastify.decorateRequest(kGoogleAuth, undefined)
  fastify.decorateRequest('googleAuth', {
    getter (this: FastifyRequest): UserGoogleClient | null {
      const request = this as WithClient
      if (request[kGoogleAuth] === undefined) request[kGoogleAuth] = clientFor(request)
      return request[kGoogleAuth]
    }
  })
  const pages = { loginUrl: options.loginUrl, app: { name: options.appName, url: options.appUrl } }
  const authenticate = createGuard(sessions, pages, fastify.server)
  if (options.authenticateDecorator !== false) fastify.decorate(options.authenticateDecorator, authenticate)
  const api: GoogleOAuthApi = Object.freeze({ authenticate, routes: Object.freeze({ ...options.routes }), origin: options.appOrigin })
  fastify.decorate('googleOAuth', api)
  checkGuardedRoutes(fastify)

  await fastify.register(routes({
    options,
    sessions,
    pages,
    google: createGoogleClient(options),
    idTokens: createIdTokenVerifier({
      jwksUrl: options.endpoints.jwks,
      timeout: options.googleTimeout,
      clientId: options.clientId,
      hostedDomain: options.hostedDomain,
      now: options.clock.now
    }),
    attempts: createLoginAttempts({
      secrets: options.secrets,
      cookiePrefix: options.attemptCookiePrefix,
      bindingCookie: options.bindingCookieName,
      cookiePath: options.routes.start,
      secure: options.secure,
      lifetime: options.loginTimeout,
      now: options.clock.now
    })
  }))
}

/** Sign in with Google for Fastify 5. */
export const googleOAuth: FastifyPluginAsync<GoogleOAuthOptions> = fp(googleOAuthPlugin, {
  fastify: '5.x',
  name: 'fastify-google-oauth'
})

export default googleOAuth
export { errors } from './errors.js'
export { GOOGLE_ENDPOINTS, type GoogleEndpoints } from './google/endpoints.js'
export { logSerializers, redactUrl } from './http/log.js'
export { BoundedMemoryStore, type MemoryStoreOptions } from './session/memory-store.js'
export type { Clock, GoogleOAuthOptions, LoginPageContext, RoutePaths, SessionStoreLike } from './options.js'
export type { GoogleOAuthApi, GoogleTokens, GoogleUser } from './types.js'
