import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createGoogleClient } from './google-client.js'
import { createGuard } from './guard.js'
import { createLoginAttempts } from './login-attempt.js'
import { resolveOptions, type GoogleOAuthOptions } from './options.js'
import { routes } from './routes/index.js'
import { ROUTES } from './routes/paths.js'
import { registerSessions, sessionLifetime } from './session.js'
import type { GoogleUser } from './types.js'

async function googleOAuthPlugin (fastify: FastifyInstance, rawOptions: GoogleOAuthOptions): Promise<void> {
  const options = resolveOptions(rawOptions)
  const { ownSession } = await registerSessions(fastify, options)

  fastify.decorateRequest('googleUser', {
    getter (this: FastifyRequest): GoogleUser | null {
      return (this.session as { googleUser?: GoogleUser } | null | undefined)?.googleUser ?? null
    }
  })
  fastify.addHook('onRequest', sessionLifetime(options))
  fastify.decorate('authenticate', createGuard(options.loginUrl))

  const context = {
    options,
    google: createGoogleClient(options),
    attempts: createLoginAttempts({
      secrets: options.secrets,
      cookiePrefix: options.attemptCookiePrefix,
      cookiePath: `${options.prefix}${ROUTES.start}`,
      secure: options.secure,
      lifetime: options.loginTimeout
    }),
    ownSession
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
export { BoundedMemoryStore, type MemoryStoreOptions } from './memory-store.js'
export type { GoogleOAuthOptions, LoginPageContext } from './options.js'
export type { GoogleTokens, GoogleUser } from './types.js'
