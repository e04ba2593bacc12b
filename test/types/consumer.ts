// Compiled by types.test.ts against the built package, as a user's app would be (TypeScript 5.9,
// strict with exactOptionalPropertyTypes, and 7, strict).
import { calendar } from '@googleapis/calendar'
import Fastify, { type FastifyRequest, type preHandlerHookHandler } from 'fastify'
import rateLimit from '@fastify/rate-limit'
import { RedisStore } from 'fastify-session-redis-store'
import type { OAuth2Client } from 'google-auth-library'
import { Redis } from 'ioredis'
import { createClient, createCluster } from 'redis'
import googleOAuth, { errors, googleOAuth as named, refuseSignIn, type GoogleIdTokenClaims, type GoogleOAuthApi, type GoogleOAuthEvent, type GoogleOAuthOptions, type GoogleTokens, type GoogleUser, type OnSignIn, type PluginRouteOptions, type SignInMethod, type UserSession } from 'fastify-google-oauth'
import { redisStore, type RedisStoreOptions } from 'fastify-google-oauth/redis'
import { signInAs, startFakeGoogle, type FakeGoogle } from 'fastify-google-oauth/testing'

declare module 'fastify-google-oauth' {
  interface GoogleUser {
    role?: 'admin' | 'member'
  }
}

export async function main (): Promise<void> {
  const google: FakeGoogle = await startFakeGoogle()
  const app = Fastify()
  const options: GoogleOAuthOptions = {
    ...google.pluginOptions(),
    secret: ['a'.repeat(32), 'b'.repeat(32)],
    // Any @fastify/session store, without a cast.
    store: new RedisStore({ client: new Redis({ lazyConnect: true }), prefix: 'app:sess:' })
  }
  await app.register(googleOAuth, options)
  // The named export is the same plugin (another app here: one registration per app).
  const other = Fastify()
  await other.register(named, { ...options, prefix: '/auth', callbackUrl: 'http://localhost:3000/auth/oauth2/google/callback', authenticateDecorator: 'googleAuthenticate' })
  const api: GoogleOAuthApi = other.googleOAuth
  const start: string = api.routes.start
  const guard: preHandlerHookHandler = api.authenticate
  void start
  void guard

  app.get('/me', { preHandler: [app.authenticate] }, async (request: FastifyRequest) => {
    const user: GoogleUser | null = request.googleUser
    // @ts-expect-error googleUser may be null: it must be checked first
    const unchecked: string = request.googleUser.id
    if (user === null) return { unchecked }
    const id: string = user.id
    const email: string | null = user.email
    const verified: boolean = user.emailVerified
    const role: 'admin' | 'member' | undefined = user.role
    const tokens: GoogleTokens | null = request.googleTokens
    const theme: string | undefined = request.cookies.theme
    const client: OAuth2Client | null = request.googleAuth
    // @ts-expect-error googleAuth may be null too
    void request.googleAuth.request
    // @ts-expect-error emailVerified is a boolean, not a string
    const wrong: string = user.emailVerified
    return { id, email, verified, role, wrong, theme, client: client !== null, tokens: tokens !== null }
  })

  // Google's own client packages take request.googleAuth as it is.
  app.get('/calendars', { preHandler: [app.authenticate] }, async (request) => {
    const { data } = await calendar({ version: 'v3', auth: request.googleAuth! }).calendarList.list()
    return data.items ?? []
  })

  // @ts-expect-error callbackUrl is required
  const missing: GoogleOAuthOptions = { clientId: 'id', clientSecret: 's', secret: 'x' }
  // @ts-expect-error accessType only takes 'online' or 'offline'
  const badAccess: GoogleOAuthOptions = { ...options, accessType: 'always' }
  const code: string = new errors.STATE_MISMATCH('why').code
  const signedIn = await signInAs(app, google, 'ada@example.com', { returnTo: '/me', claims: { hd: 'example.com' } })
  const headers: { cookie: string } = signedIn.headers
  // onSignIn: typed context; returns the app's own fields, false, or nothing.
  const onSignIn: OnSignIn = async ({ user, claims, scopes, request }) => {
    const hd: string | undefined = claims.hd
    const granted: readonly string[] = scopes
    const requestId: string = request.id
    if (user.email === null) return false
    if (hd === 'banned.example') throw refuseSignIn('Ask an admin')
    void granted
    void requestId
    return user.email.endsWith('@example.com') ? { role: 'admin' } : undefined
  }
  // @ts-expect-error a field the app did not declare on GoogleUser
  const unknownField: OnSignIn = () => ({ rank: 3 })
  // @ts-expect-error a role outside the declared union
  const badRole: OnSignIn = () => ({ role: 'owner' })
  const claimsType: GoogleIdTokenClaims['sub'] = 'x'
  const onEvent = (event: GoogleOAuthEvent): void => {
    if (event.type === 'sign-in-refused') {
      const reason: 'hosted-domain' | 'email-not-verified' | 'email-not-authoritative' | 'email-not-allowed' | 'on-sign-in' | 'account-disabled' = event.reason
      void reason
    }
    if (event.type === 'sign-in') {
      const scopes: string[] = event.scopes
      // @ts-expect-error a sign-in has no reason
      void event.reason
      void scopes
    }
    if (event.type === 'session-bound') {
      const algorithm: 'ES256' | 'RS256' = event.algorithm
      void algorithm
    }
    if (event.type === 'session-refresh-refused') {
      const why: string = event.reason
      void why
    }
    const userId: string | null = event.userId
    void userId
  }
  const policies: GoogleOAuthOptions = { ...options, hostedDomain: ['a.example', 'b.example'], allowedEmails: ['ada@example.com'], allowedDomains: ['example.com'], onSignIn, onSignInTimeout: 5000, onEvent }
  app.delete('/account', { preHandler: [app.authenticate] }, async (request, reply) => {
    const updated: GoogleUser = await app.googleOAuth.updateUser(request, { role: 'member' })
    // @ts-expect-error the id is Google's and cannot change
    await app.googleOAuth.updateUser(request, { id: 'other' })
    await app.googleOAuth.signOut(request, reply)
    const ended: number = await app.googleOAuth.signOutEverywhere(updated.id)
    return { ended }
  })
  // A person's sessions, as a list of their devices.
  app.get('/devices', { preHandler: [app.authenticate] }, async (request) => {
    const mine: UserSession[] = await app.googleOAuth.sessionsOf(request)
    const byId: UserSession[] = await app.googleOAuth.sessionsOf(request.googleUser!.id)
    const first = mine[0]!
    const fields: [string, number, number, 'redirect' | 'one-tap' | null, string, boolean] = [first.handle, first.startedAt, first.lastUsedAt, first.method, first.device, first.current]
    // @ts-expect-error a session's method is one of the sign-in methods, or null
    const method: 'bearer' = first.method
    const one: boolean = await app.googleOAuth.endSession(request, first.handle)
    const again: boolean = await app.googleOAuth.endSession(request.googleUser!.id, first.handle)
    // @ts-expect-error a handle is a string from sessionsOf
    await app.googleOAuth.endSession(request, 1)
    const others: number = await app.googleOAuth.signOutOthers(request)
    // @ts-expect-error signOutOthers keeps the request's own session: it takes the request
    await app.googleOAuth.signOutOthers(request.googleUser!.id)
    return { byId, fields, method, one, again, others }
  })
  // Bearer tokens, the button and One Tap, more scopes.
  const ways: GoogleOAuthOptions = { ...options, bearer: { audiences: ['web.apps.googleusercontent.com'], authorizedParties: ['android.apps.googleusercontent.com'] }, oneTap: { prompt: false } }
  // @ts-expect-error bearer takes true, false or its settings
  const badBearer: GoogleOAuthOptions = { ...options, bearer: 'yes' }
  const calendarGuard: preHandlerHookHandler = app.googleOAuth.requireScopes(['https://www.googleapis.com/auth/calendar.readonly'])
  app.get('/calendar', { preHandler: [calendarGuard] }, async (request) => {
    const granted: string[] = app.googleOAuth.grantedScopes(request)
    return { granted }
  })
  const customPage: GoogleOAuthOptions['loginPage'] = ({ oneTap, startUrl }) => oneTap === null
    ? `<a href="${startUrl}">Sign in</a>`
    : `<div id="g_id_onload" data-client_id="${oneTap.clientId}" data-login_uri="${oneTap.loginUri}" data-nonce="${oneTap.nonce}"></div><script src="${oneTap.scriptUrl}" async></script>`
  const method: SignInMethod = 'one-tap'
  const oneTapSignIn = await signInAs(app, google, 'ada@example.com', { via: 'one-tap' })
  const bearerToken: string = google.idTokenFor('ada@example.com', { authorizedParty: null })
  // Device-bound sessions: the option, the guard, whether a request's session is bound, the devices list.
  const bound: GoogleOAuthOptions = { ...options, deviceBound: { cookieLifetime: 5 * 60_000, challengeLifetime: 60_000 } }
  // @ts-expect-error cookieLifetime is in milliseconds, a number
  const badBound: GoogleOAuthOptions = { ...options, deviceBound: { cookieLifetime: '10m' } }
  const boundGuard: preHandlerHookHandler = app.googleOAuth.requireDeviceBound
  app.get('/account/keys', { preHandler: [boundGuard] }, async (request) => {
    const isBound: boolean = app.googleOAuth.isDeviceBound(request)
    const listed: boolean[] = (await app.googleOAuth.sessionsOf(request)).map((session) => session.deviceBound)
    return { isBound, listed }
  })
  app.addHook('onReady', async () => {
    const register: string | undefined = app.googleOAuth.routes.dbscRegister
    void register
  })
  void bound
  void badBound
  void ways
  void badBearer
  void customPage
  void method
  void oneTapSignIn
  void bearerToken
  // The plugin's Redis store passes as the store option without a cast.
  const nearCache: RedisStoreOptions['nearCache'] = { ttl: 2_000 }
  const onRedis: GoogleOAuthOptions = { ...options, store: redisStore(new Redis({ lazyConnect: true }), { prefix: 'app:sess:', nearCache }) }
  // node-redis clients, one server or a cluster, pass as they are.
  const onNodeRedis: GoogleOAuthOptions = { ...options, store: redisStore(createClient({ disableOfflineQueue: true })) }
  const onNodeRedisCluster: GoogleOAuthOptions = { ...options, store: redisStore(createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7101' }] })) }
  // @ts-expect-error the store takes a Redis client, not a URL
  redisStore('redis://127.0.0.1:6379')
  void onRedis
  void onNodeRedis
  void onNodeRedisCluster
  void unknownField
  void badRole
  void claimsType
  void policies
  void missing
  void badAccess
  void code
  void headers
  // sameOrigin: a hook for the app's own forms and JSON POSTs, beside authenticate or alone.
  const sameOrigin: preHandlerHookHandler = app.googleOAuth.sameOrigin
  app.post('/notes', { preHandler: [app.googleOAuth.sameOrigin, app.authenticate] }, async () => ({ saved: true }))
  app.post('/upload', { onRequest: [app.googleOAuth.sameOrigin] }, async () => ({ uploaded: true }))
  // @ts-expect-error sameOrigin is a hook, not a function that makes one
  app.googleOAuth.sameOrigin()
  // routeOptions: Fastify route config (typed by @fastify/rate-limit) and onRequest hooks for the plugin's routes.
  const limited = Fastify()
  await limited.register(rateLimit, { global: false })
  await limited.register(googleOAuth, { ...options, routeOptions: { start: { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } }, all: { onRequest: (_request, _reply, done) => done() } } })
  const forStart: PluginRouteOptions = { config: { rateLimit: { max: 5 } }, onRequest: [] }
  // @ts-expect-error rate-limit's max is a number (or a function)
  const badLimit: PluginRouteOptions = { config: { rateLimit: { max: 'ten' } } }
  // @ts-expect-error the plugin's routes keep their own schema and handler
  const badRouteOption: PluginRouteOptions = { schema: {} }
  // @ts-expect-error routes are named as in fastify.googleOAuth.routes
  const badRouteName: GoogleOAuthOptions['routeOptions'] = { signIn: {} }
  void sameOrigin
  void forStart
  void badLimit
  void badRouteOption
  void badRouteName
  await google.close()
}
