import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createEmitter } from './events.js'
import { createGoogleClient, googleClientOptions } from './google/client.js'
import { createUserClients } from './google/user-client.js'
import { createIdTokenVerifier } from './google/verify-id-token.js'
import { checkGuardedRoutes, claimNames, refuseGuardWithout } from './http/decorators.js'
import { createGuards } from './http/guard.js'
import { createIdentity } from './http/identity.js'
import { decorateRequests } from './http/request-decorators.js'
import { createSameOrigin } from './http/same-origin.js'
import type { GoogleOAuthOptions } from './options.js'
import { resolveOptions } from './options/resolve.js'
import { checkRateLimitRegistered } from './options/route-options.js'
import { startupWarnings } from './options/warnings.js'
import { DISABLED_FLAG } from './risc/actions.js'
import { createReceiver, riscMarks } from './risc/index.js'
import { routes } from './routes/index.js'
import { createAccountActions } from './session/account.js'
import { createDeviceActions } from './session/devices.js'
import { registerSessions } from './session/index.js'
import { createAdmission } from './sign-in/admit.js'
import { createLoginAttempts } from './sign-in/attempt.js'
import { createBearerAuth } from './sign-in/bearer.js'
import { createScopeRegistry, grantedScopes } from './sign-in/scopes.js'
import type { GoogleOAuthApi } from './api.js'

/**
 * The plugin: check the options, build what the routes and guards work with, decorate the app,
 * add the routes. Each step lives in the module named for it.
 */
async function googleOAuthPlugin (fastify: FastifyInstance, rawOptions: GoogleOAuthOptions): Promise<void> {
  // Check: the options, then the names the plugin adds (a second registration stops here).
  const options = resolveOptions(rawOptions)
  checkRateLimitRegistered(options.routeOptions, (name) => fastify.hasPlugin(name))
  claimNames(fastify, options.authenticateDecorator)
  for (const warning of startupWarnings(options, rawOptions, fastify.hasPlugin('@fastify/session'))) fastify.log.warn(warning)

  // Build.
  const emit = createEmitter(options.onEvent, options.clock.now, fastify.log)
  const sessions = registerSessions(fastify, options, emit)
  const identity = createIdentity(fastify, sessions, options.bearer !== null)
  const marks = riscMarks(options, sessions)
  const admit = createAdmission({ policies: options.policies, onSignIn: options.onSignIn, onSignInTimeout: options.onSignInTimeout, clock: options.clock, emit, disabled: marks === null ? null : (userId) => marks.userFlag(userId, DISABLED_FLAG) })
  const idTokens = createIdTokenVerifier({ jwksUrl: options.endpoints.jwks, timeout: options.googleTimeout, clientId: options.clientId, now: options.clock.now, clock: options.clock })
  const bearer = options.bearer === null ? null : createBearerAuth({ verifier: idTokens, ...options.bearer, admit, emit, now: options.clock.now, revocations: sessions.revocations })
  const google = createGoogleClient(options)
  const scopes = createScopeRegistry(options.scopes)
  const pages = { loginUrl: options.loginUrl, app: { name: options.appName, url: options.appUrl } }
  const guards = createGuards({ sessions, identity, bearer, clock: options.clock, pages, realm: options.appOrigin, startUrl: options.routes.start, scopes, server: fastify.server })
  const sameOrigin = createSameOrigin({ appOrigin: options.appOrigin, pages, server: fastify.server })
  const account = createAccountActions({ sessions, identity, bearer, google, emit, revokeOnLogout: options.revokeOnLogout })
  const devices = createDeviceActions({ sessions, identity, emit, secrets: options.secrets, lifetimes: options, now: options.clock.now })

  // Decorate.
  decorateRequests(fastify, identity, createUserClients(sessions, googleClientOptions(options), emit))
  if (options.authenticateDecorator !== false) fastify.decorate(options.authenticateDecorator, guards.authenticate)
  const api: GoogleOAuthApi = Object.freeze({
    authenticate: guards.authenticate,
    requireScopes: guards.requireScopes,
    requireDeviceBound: guards.requireDeviceBound,
    isDeviceBound: guards.isDeviceBound,
    sameOrigin,
    routes: Object.freeze({ ...options.routes }),
    origin: options.appOrigin,
    ...account,
    ...devices,
    grantedScopes: (request: FastifyRequest): string[] => [...grantedScopes(identity.tokens(request))]
  })
  fastify.decorate('googleOAuth', api)
  checkGuardedRoutes(fastify)
  if (options.deviceBound === null) refuseGuardWithout(fastify, guards.requireDeviceBound, 'requireDeviceBound', 'deviceBound: true')

  // Routes.
  await fastify.register(routes({
    options,
    sessions,
    identity,
    pages,
    emit,
    signOut: account.signOut,
    sameOrigin,
    admit,
    scopes,
    google,
    idTokens,
    attempts: createLoginAttempts({
      secrets: options.secrets,
      cookiePrefix: options.attemptCookiePrefix,
      bindingCookie: options.bindingCookieName,
      cookiePath: options.routes.start,
      secure: options.secure,
      lifetime: options.loginTimeout,
      now: options.clock.now
    }),
    oneTap: options.oneTap === null
      ? null
      : { clientId: options.clientId, routeUrl: `${options.appOrigin}${options.routes.oneTap}`, scriptUrl: options.endpoints.gsiClient, ...options.oneTap }
  }, marks === null ? null : createReceiver({ options, marks, signOutEverywhere: account.signOutEverywhere, emit })))
}

/** Sign in with Google for Fastify 5. */
export const googleOAuth: FastifyPluginAsync<GoogleOAuthOptions> = fp(googleOAuthPlugin, {
  fastify: '5.x',
  name: 'fastify-google-oauth'
})

export default googleOAuth
export { errors } from './errors.js'
export type { GoogleOAuthEvent, SecurityEventAction, SecurityEventReport, SignInRefusal } from './events.js'
export type { OnSecurityEvent, RiscOptions, SecurityEvent, SecurityEventDecision, SecurityEventType } from './risc/types.js'
export { refuseSignIn, type AppUserFields, type OnSignIn, type SignInContext, type SignInMethod } from './sign-in/admit.js'
export type { OneTapPage } from './sign-in/one-tap.js'
export { GOOGLE_ENDPOINTS, type GoogleEndpoints } from './google/endpoints.js'
export { logSerializers, redactUrl } from './http/log.js'
export { BoundedMemoryStore, type MemoryStoreOptions } from './session/memory-store.js'
export type { BearerOptions, Clock, DeviceBoundOptions, GoogleOAuthOptions, LoginPageContext, OneTapOptions, PluginRouteOptions, RoutePaths, SessionStoreLike } from './options.js'
export type { GoogleOAuthApi, UserSession } from './api.js'
export type { GoogleIdTokenClaims, GoogleTokens, GoogleUser } from './types.js'
