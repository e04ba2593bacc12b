import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createGoogleClient, googleClientOptions } from './google-client.js'
import { createGuard } from './guard.js'
import { createIdTokenVerifier } from './id-token.js'
import { createLoginAttempts } from './login-attempt.js'
import { resolveOptions, type GoogleOAuthOptions } from './options.js'
import { routes } from './routes/index.js'
import { ROUTES } from './routes/paths.js'
import { registerSessions } from './session/index.js'
import type { GoogleUser } from './types.js'
import { createUserClients } from './user-clients.js'
import type { UserGoogleClient } from './user-google-client.js'

const kGoogleAuth = Symbol('fastify-google-oauth.googleAuth')
type WithClient = FastifyRequest & { [kGoogleAuth]: UserGoogleClient | null | undefined }

async function googleOAuthPlugin (fastify: FastifyInstance, rawOptions: GoogleOAuthOptions): Promise<void> {
  const options = resolveOptions(rawOptions)
  for (const warning of options.warnings) fastify.log.warn(`fastify-google-oauth: ${warning}`)
  const { sessions, ownSession } = await registerSessions(fastify, options)
  if (!ownSession && (rawOptions.store !== undefined || rawOptions.cookie !== undefined || rawOptions.maxSessions !== undefined || rawOptions.maxSessionsPerUser !== undefined)) {
    fastify.log.warn('fastify-google-oauth: the app registered @fastify/session itself, so its store and cookie settings apply; the plugin\'s store, cookie, maxSessions and maxSessionsPerUser options are ignored')
  }
  if (process.env.GOOGLE_SDK_NODE_LOGGING !== undefined) {
    fastify.log.warn('fastify-google-oauth: GOOGLE_SDK_NODE_LOGGING is set, so google-auth-library prints token responses to stderr; unset it in production')
  }

  fastify.decorateRequest('googleUser', {
    getter (this: FastifyRequest): GoogleUser | null {
      return sessions.user(this)
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
  fastify.decorate('authenticate', createGuard(sessions, options.loginUrl))

  const context = {
    options,
    sessions,
    google: createGoogleClient(options),
    idTokens: createIdTokenVerifier({ jwksUrl: options.endpoints.jwks, timeout: options.googleTimeout }),
    attempts: createLoginAttempts({
      secrets: options.secrets,
      cookiePrefix: options.attemptCookiePrefix,
      bindingCookie: options.bindingCookieName,
      cookiePath: `${options.prefix}${ROUTES.start}`,
      secure: options.secure,
      lifetime: options.loginTimeout
    })
  }
  await fastify.register(routes(context), { prefix: options.prefix })
}

/** Sign in with Google for Fastify 5. */
export const googleOAuth = fp(googleOAuthPlugin, {
  fastify: '5.x',
  name: 'fastify-google-oauth'
})

export default googleOAuth
export { errors } from './errors.js'
export { GOOGLE_ENDPOINTS, type GoogleEndpoints } from './google-endpoints.js'
export { logSerializers, redactUrl } from './log-serializers.js'
export { BoundedMemoryStore, type MemoryStoreOptions } from './session/memory-store.js'
export type { GoogleOAuthOptions, LoginPageContext } from './options.js'
export type { GoogleTokens, GoogleUser } from './types.js'
