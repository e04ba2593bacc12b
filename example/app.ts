import type { Server } from 'node:http'
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify'
import { Redis } from 'ioredis'
import googleOAuth, { GOOGLE_ENDPOINTS, logSerializers } from 'fastify-google-oauth'
import { redisStore } from 'fastify-google-oauth/redis'
import { DEFAULT_CLIENT, startFakeGoogle, type FakeGoogle } from 'fastify-google-oauth/testing'
import type { ExampleConfig } from './config.js'
import { calendarPage, devicesPage, homePage, profilePage } from './pages.js'

// The example's own field on the signed-in user, filled in by onSignIn below.
declare module 'fastify-google-oauth' {
  interface GoogleUser { role?: 'admin' | 'member' }
}

/** Who is an admin in the example; a real app would look the account up in its database. */
const ADMINS = new Set(['ada@example.com'])

/** Read-only access to the user's calendars: asked for when they open the calendar page, not at sign-in. */
const CALENDAR = 'https://www.googleapis.com/auth/calendar.readonly'

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export interface Example {
  app: FastifyInstance
  /** The local fake Google, when no real credentials were given. */
  fakeGoogle: FakeGoogle | null
  callbackUrl: string
}

export interface BuildOptions {
  /** Log requests (default true). */
  logger?: boolean
  /** Serve on this server, already listening (the tests do, so that its port is known first). */
  server?: Server
  /** How long a device-bound session's cookie counts (ms; the plugin's default is 10 minutes). */
  boundCookieLifetime?: number
}

/** Builds the example app: a public home page, protected profile and devices pages, and a protected JSON API. */
export async function buildExample (config: ExampleConfig, { logger = true, server, boundCookieLifetime }: BuildOptions = {}): Promise<Example> {
  const callbackUrl = `${config.publicUrl}/oauth2/google/callback`
  const fakeGoogle = config.google === null
    ? await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
    : null

  const serverFactory: FastifyServerFactory | undefined = server === undefined ? undefined : (handler) => server.on('request', handler)
  const app = Fastify({ logger: logger && { serializers: logSerializers }, serverFactory, ...(server === undefined && config.tls !== null && { https: config.tls }) })
  // Sessions in Redis when REDIS_URL is set: every instance sharing it shares the sessions.
  // Without an offline queue, commands fail at once while Redis is away (the plugin answers 503)
  // and the client reconnects by itself.
  const redis = config.redisUrl === null ? null : new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true })
  // (The plugin logs an outage once when it starts and once when it ends; reconnection errors are noise.)
  redis?.on('error', (error) => app.log.debug({ code: (error as { code?: string }).code }, 'redis unavailable'))
  await redis?.connect().catch(() => app.log.warn('redis is not answering yet: signed-in pages answer 503 until it does'))
  app.addHook('onClose', async () => {
    await fakeGoogle?.close()
    redis?.disconnect()
  })

  await app.register(googleOAuth, {
    ...(fakeGoogle === null
      ? config.google
      : { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, endpoints: fakeGoogle.endpoints }),
    callbackUrl,
    secret: config.sessionSecret,
    // Who may sign in: uncomment to admit only addresses of these domains (verified by Google).
    // allowedDomains: ['example.com'],
    // Runs after Google vouched for the account, before the session is written: what it returns
    // is stored with the user (request.googleUser.role on every later request).
    onSignIn: ({ user }) => ({ role: user.email !== null && user.emailVerified && ADMINS.has(user.email) ? 'admin' : 'member' }),
    // Google's "Sign in with Google" button and One Tap on the login page, beside the redirect button.
    oneTap: true,
    // Cross-Account Protection: Google's security events (a hijacked account, sessions revoked) end
    // the user's sessions here too. Register the receiver with `npx fastify-google-oauth risc register`.
    risc: true,
    // Device-bound sessions (https only): Chrome binds the session to a key it cannot export, and a
    // copied session cookie stops working within minutes. Other browsers keep the usual cookie.
    deviceBound: new URL(callbackUrl).protocol === 'https:' && (boundCookieLifetime === undefined ? true : { cookieLifetime: boundCookieLifetime }),
    // Sessions in Redis when REDIS_URL is set: atomic writes, sign-out everywhere, a coherent near cache.
    ...(redis !== null && { store: redisStore(redis, { prefix: 'fastify-google-oauth-example:' }) })
  })

  const provider = fakeGoogle === null ? 'Google' : `the local fake Google at ${fakeGoogle.url} (no real Google account needed)`
  app.get('/', async (request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(homePage(request.googleUser, provider)))

  // The profile page also calls a Google API as the user: userinfo, through request.googleAuth.
  const userinfoUrl = fakeGoogle?.endpoints.userinfo ?? GOOGLE_ENDPOINTS.userinfo
  app.get('/profile', { preHandler: [app.authenticate] }, async (request, reply) => {
    let userinfo: Record<string, unknown> | null = null
    // Null after Google's button or One Tap: they say who you are, and give no access to Google APIs.
    if (request.googleAuth !== null) {
      try {
        userinfo = (await request.googleAuth.request<Record<string, unknown>>({ url: userinfoUrl })).data
      } catch (error) {
        request.log.warn({ code: (error as { code?: string }).code }, 'userinfo unavailable')
      }
    }
    const calendarConnected = app.googleOAuth.grantedScopes(request).includes(CALENDAR)
    return reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(profilePage(request.googleUser!, userinfo, calendarConnected))
  })

  // A feature that needs more access than sign-in: Google asks for it the first time (and only then).
  const calendarListUrl = fakeGoogle?.apis.calendarList ?? 'https://www.googleapis.com/calendar/v3/users/me/calendarList'
  app.get('/calendar', { preHandler: [app.googleOAuth.requireScopes([CALENDAR])] }, async (request, reply) => {
    const { data } = await request.googleAuth!.request<{ items?: Array<{ summary?: string, primary?: boolean }> }>({ url: calendarListUrl })
    return reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(calendarPage(request.googleUser!, data.items ?? []))
  })

  // Where the person is signed in, each other session ended with one click. The forms change
  // something: the plugin's same-origin check refuses them from another site.
  await app.register(async (devices) => {
    devices.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })
    devices.get('/devices', { preHandler: [app.authenticate] }, async (request, reply) =>
      reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(devicesPage(request.googleUser!, await app.googleOAuth.sessionsOf(request))))
    const changes = { preHandler: [app.googleOAuth.sameOrigin, app.authenticate] }
    devices.post('/devices/end', changes, async (request, reply) => {
      const handle = (request.body as { handle?: unknown } | null)?.handle
      // A handle of a session already gone (or not this person's) ends nothing: the list shows what is left.
      if (typeof handle === 'string') await app.googleOAuth.endSession(request, handle)
      return reply.redirect('/devices', 303)
    })
    devices.post('/devices/others', changes, async (request, reply) => {
      await app.googleOAuth.signOutOthers(request)
      return reply.redirect('/devices', 303)
    })
  })

  app.get('/api/me', { preHandler: [app.authenticate] }, async (request) => request.googleUser)
  // Browsers ask for one when showing a JSON response.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())

  return { app, fakeGoogle, callbackUrl }
}
