import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createEmitter } from './events.js'
import { createGoogleClient, googleClientOptions } from './google/client.js'
import { revokeTokens } from './google/revoke-tokens.js'
import { fail } from './errors.js'
import { createUserClients, type UserGoogleClient } from './google/user-client.js'
import { createIdTokenVerifier } from './google/verify-id-token.js'
import { checkGuardedRoutes, claimNames } from './http/decorators.js'
import { createGuards } from './http/guard.js'
import { createIdentity } from './http/identity.js'
import { resolveOptions, type GoogleOAuthOptions } from './options.js'
import { routes } from './routes/index.js'
import { registerSessions } from './session/index.js'
import { createAdmission } from './sign-in/admit.js'
import { createLoginAttempts } from './sign-in/attempt.js'
import { createBearerAuth } from './sign-in/bearer.js'
import { createScopeRegistry, grantedScopes } from './sign-in/scopes.js'
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
  const emit = createEmitter(options.onEvent, options.clock.now, fastify.log)
  const { sessions, ownSession } = await registerSessions(fastify, options, emit)
  if (!ownSession && (rawOptions.store !== undefined || rawOptions.cookie !== undefined || rawOptions.maxSessions !== undefined || rawOptions.maxSessionsPerUser !== undefined)) {
    fastify.log.warn('fastify-google-oauth: the app registered @fastify/session itself, so its store and cookie settings apply; the plugin\'s store, cookie, maxSessions and maxSessionsPerUser options are ignored')
  }

  // Who a request is: its session, or with `bearer`, its Authorization header (never a mix of the two).
  const identity = createIdentity(fastify, sessions, options.bearer !== null)
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
  const clientFor = createUserClients(sessions, googleClientOptions(options), emit)
  fastify.decorateRequest(kGoogleAuth, undefined)
  fastify.decorateRequest('googleAuth', {
    getter (this: FastifyRequest): UserGoogleClient | null {
      const request = this as WithClient
      // No client without Google access: signed out, a Bearer token, or Google's button until a grant.
      if (request[kGoogleAuth] === undefined) request[kGoogleAuth] = identity.tokens(request) === null ? null : clientFor(request)
      return request[kGoogleAuth]
    }
  })
  const pages = { loginUrl: options.loginUrl, app: { name: options.appName, url: options.appUrl } }
  const admit = createAdmission({ policies: options.policies, onSignIn: options.onSignIn, onSignInTimeout: options.onSignInTimeout, clock: options.clock, emit })
  const idTokens = createIdTokenVerifier({
    jwksUrl: options.endpoints.jwks,
    timeout: options.googleTimeout,
    clientId: options.clientId,
    now: options.clock.now
  })
  const scopes = createScopeRegistry(options.scopes)
  const bearer = options.bearer === null ? null : createBearerAuth({ verifier: idTokens, ...options.bearer, admit, emit, now: options.clock.now, revocations: sessions.revocations })
  const google = createGoogleClient(options)
  const { authenticate, requireScopes } = createGuards({
    sessions,
    identity,
    bearer,
    clock: options.clock,
    pages,
    realm: options.appOrigin,
    startUrl: options.routes.start,
    scopes,
    server: fastify.server
  })
  if (options.authenticateDecorator !== false) fastify.decorate(options.authenticateDecorator, authenticate)
  /** Revokes a user everywhere (see `signOutEverywhere`), reporting it; how many sessions ended. */
  async function revoke (userId: string, requestId: string | null): Promise<number> {
    const ended = await sessions.revoke(userId)
    emit({ type: 'sign-out', everywhere: true, sessions: ended, userId, requestId })
    return ended
  }
  /**
   * Signs the request's user out. A cookie session ends (and, with `revokeOnLogout`, its Google
   * token is revoked). A request authenticated by a Bearer token has no session: its token is
   * verified (a bad one is refused 401), then its user is signed out everywhere, since an ID token
   * can only be refused by when it was issued. Never both: one request, one identity.
   */
  async function signOut (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (identity.byHeader(request)) {
      // The route need not have run the guard: the header is verified here.
      const user = identity.user(request) ?? await bearer!.authenticate(request.headers.authorization!, request)
      await revoke(user.id, request.id)
      return
    }
    const userId = identity.user(request)?.id ?? null
    const tokens = identity.tokens(request)
    await sessions.signOut(request, reply)
    if (options.revokeOnLogout && tokens !== null) revokeTokens(google, tokens, request.log)
    if (userId !== null) emit({ type: 'sign-out', everywhere: false, sessions: 1, userId, requestId: request.id })
  }
  const api: GoogleOAuthApi = Object.freeze({
    authenticate,
    routes: Object.freeze({ ...options.routes }),
    origin: options.appOrigin,
    signOut,
    async signOutEverywhere (userId: string): Promise<number> {
      if (typeof userId !== 'string' || userId === '') throw fail('INVALID_ARGUMENT', 'sign-out-everywhere-user', 'signOutEverywhere(userId): give the user\'s id (request.googleUser.id).')
      return await revoke(userId, null)
    },
    requireScopes,
    grantedScopes: (request: FastifyRequest): string[] => [...grantedScopes(identity.tokens(request))],
    async updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser> {
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw fail('INVALID_ARGUMENT', 'update-user-fields', 'updateUser(request, fields): fields must be an object, e.g. { role: \'admin\' }.')
      if (identity.byHeader(request)) throw fail('NOT_SUPPORTED', 'update-user-bearer', 'updateUser changes a signed-in session; a request authenticated by a Bearer token has none (its fields come from onSignIn).')
      // Stored as JSON, so that it comes back the same from every store.
      return await sessions.updateUser(request, JSON.parse(JSON.stringify(fields)) as typeof fields)
    }
  })
  fastify.decorate('googleOAuth', api)
  checkGuardedRoutes(fastify)

  await fastify.register(routes({
    options,
    sessions,
    identity,
    pages,
    emit,
    signOut,
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
  }))
}

/** Sign in with Google for Fastify 5. */
export const googleOAuth: FastifyPluginAsync<GoogleOAuthOptions> = fp(googleOAuthPlugin, {
  fastify: '5.x',
  name: 'fastify-google-oauth'
})

export default googleOAuth
export { errors } from './errors.js'
export type { GoogleOAuthEvent, SignInRefusal } from './events.js'
export { refuseSignIn, type AppUserFields, type OnSignIn, type SignInContext, type SignInMethod } from './sign-in/admit.js'
export type { OneTapPage } from './sign-in/one-tap.js'
export { GOOGLE_ENDPOINTS, type GoogleEndpoints } from './google/endpoints.js'
export { logSerializers, redactUrl } from './http/log.js'
export { BoundedMemoryStore, type MemoryStoreOptions } from './session/memory-store.js'
export type { BearerOptions, Clock, GoogleOAuthOptions, LoginPageContext, OneTapOptions, RoutePaths, SessionStoreLike } from './options.js'
export type { GoogleIdTokenClaims, GoogleOAuthApi, GoogleTokens, GoogleUser } from './types.js'
