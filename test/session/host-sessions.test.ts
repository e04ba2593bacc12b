import fastifyCookie from '@fastify/cookie'
import fastifySession, { type SessionStore } from '@fastify/session'
import type { FastifyInstance, FastifyRequest, Session } from 'fastify'
import t, { type Test } from 'tap'
import { SESSION_SECRET, startApp } from '../fixtures/app.js'
import { HOUR, MINUTE, testClock } from '../fixtures/clock.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { openStoredTokens, withStoredTokens } from '../fixtures/sealed-tokens.js'

/** The host registers its own @fastify/session, on a store the test can look into. */
function hostSession (store: SessionStore) {
  return async (app: FastifyInstance) => {
    await app.register(fastifyCookie)
    await app.register(fastifySession, { secret: SESSION_SECRET, cookieName: 'host.sid', cookie: { secure: false }, saveUninitialized: false, store })
    // The host's own use of its session.
    app.get('/visits', async (request) => {
      const visits = ((request.session as unknown as { visits?: number }).visits ?? 0) + 1
      ;(request.session as unknown as { visits: number }).visits = visits
      return { visits }
    })
  }
}

function expireAccessToken (store: CountingStore, cookie: string): void {
  const id = decodeURIComponent(cookie).split('.')[0]!
  store.get(id, (_error, session) => {
    store.set(id, withStoredTokens(session, (tokens) => ({ ...tokens, expiresAt: Date.now() - 1000 })) as never, () => {})
  })
}

t.test('in the host\'s session: the user, the guard and sign-out, beside the host\'s own data', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { before: hostSession(store) })
  const b = app.browser()
  await app.signIn(b)
  t.equal((await b.request(`${app.url}/api/me`)).status, 200)
  t.same(await (await b.request(`${app.url}/visits`)).json(), { visits: 1 })
  await b.submit(`${app.url}/logout`)
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'signed out')
  t.same(await (await b.request(`${app.url}/visits`)).json(), { visits: 2 }, 'the host\'s own data is kept')
})

t.test('in the host\'s session: the idle timeout is enforced', async (t) => {
  const clock = testClock()
  const store = new CountingStore()
  const app = await startApp(t, { clock, before: hostSession(store) })
  const { headers } = await app.signInAs()
  t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 200)
  await clock.tick(24 * HOUR + 1)
  t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 401)
})

t.test('in the host\'s session: googleAuth refreshes and saves tokens; a revoked refresh token ends the sign-in', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { before: hostSession(store), plugin: { accessType: 'offline' } })
  const b = app.browser()
  await app.signIn(b)
  expireAccessToken(store, b.cookiesFor(app.url)['host.sid']!)
  t.equal((await b.request(`${app.url}/api/google-profile`)).status, 200, 'refreshed')
  let saved: Record<string, unknown> = {}
  store.get(decodeURIComponent(b.cookiesFor(app.url)['host.sid']!).split('.')[0]!, (_e, session) => { saved = { ...openStoredTokens(session) } })
  t.ok((saved.expiresAt as number) > Date.now(), 'the refreshed tokens were saved in the host\'s session')

  expireAccessToken(store, b.cookiesFor(app.url)['host.sid']!)
  app.google.revokeAll()
  const response = await b.request(`${app.url}/api/google-profile`, { headers: { accept: 'application/json' } })
  t.equal(response.status, 401)
  t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_REAUTH_REQUIRED')
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'signed out of the app')
})

t.test('in the host\'s session: 30 concurrent requests with an expired access token share one refresh', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { before: hostSession(store), plugin: { accessType: 'offline' } })
  const b = app.browser()
  await app.signIn(b)
  expireAccessToken(store, b.cookiesFor(app.url)['host.sid']!)
  const before = app.tokenCalls()
  const responses = await Promise.all(Array.from({ length: 30 }, () => b.request(`${app.url}/api/google-profile`)))
  t.same(responses.map((r) => r.status), Array(30).fill(200))
  t.equal(app.tokenCalls() - before, 1, 'one call to Google\'s token endpoint')
  let saved: Record<string, unknown> = {}
  store.get(decodeURIComponent(b.cookiesFor(app.url)['host.sid']!).split('.')[0]!, (_e, session) => { saved = { ...openStoredTokens(session) } })
  t.ok((saved.expiresAt as number) > Date.now(), 'and the host\'s session holds the new tokens')
})

/** The host's session with a cart in it, then a sign-in: what is left of the cart. */
async function cartAfterSignIn (t: Test, keepSessionInfo?: boolean | string[]): Promise<{ cart: unknown, theme: unknown, sameId: boolean }> {
  const store = new CountingStore()
  const app = await startApp(t, {
    before: async (app) => {
      await hostSession(store)(app)
      app.post('/cart', async (request) => {
        Object.assign(request.session, { cart: ['apple'], theme: 'dark' })
        return { ok: true }
      })
      app.get('/cart', async (request) => ({ cart: (request.session as unknown as { cart?: unknown }).cart ?? null, theme: (request.session as unknown as { theme?: unknown }).theme ?? null }))
    },
    ...(keepSessionInfo !== undefined && { plugin: { keepSessionInfo } })
  })
  const b = app.browser()
  await b.request(`${app.url}/cart`, { method: 'POST' })
  const before = b.cookiesFor(app.url)['host.sid']
  await app.signIn(b)
  const after = await (await b.request(`${app.url}/cart`)).json() as { cart: unknown, theme: unknown }
  return { ...after, sameId: b.cookiesFor(app.url)['host.sid'] === before }
}

t.test('in the host\'s session: signing in drops pre-login data by default, keeps what keepSessionInfo names, always with a new id', async (t) => {
  t.same(await cartAfterSignIn(t), { cart: null, theme: null, sameId: false }, 'default: nothing carried over')
  t.same(await cartAfterSignIn(t, true), { cart: ['apple'], theme: 'dark', sameId: false }, 'true: the app\'s keys carried over')
  t.same(await cartAfterSignIn(t, ['cart']), { cart: ['apple'], theme: null, sameId: false }, '[\'cart\']: that key only')
})

t.test('request.googleTokens gives the tokens in both kinds of session', async (t) => {
  for (const before of [undefined, hostSession(new CountingStore())]) {
    const app = await startApp(t, {
      ...(before !== undefined && { before }),
      routes: (app) => app.get('/tokens', async (request) => ({ accessToken: request.googleTokens?.accessToken ?? null }))
    })
    const b = app.browser()
    t.same(await (await b.request(`${app.url}/tokens`)).json(), { accessToken: null }, 'null when signed out')
    await app.signIn(b)
    t.match(await (await b.request(`${app.url}/tokens`)).json(), { accessToken: /^ya29\./ }, before === undefined ? 'the plugin\'s own sessions' : 'the app\'s @fastify/session')
  }
})

/** What a route manages to change of the signed-in user and tokens: the names of the changes refused. */
function tamper (request: FastifyRequest): string[] {
  const refused: string[] = []
  try { (request.googleUser as unknown as { roles: string[] }).roles.push('admin') } catch (error) { if (error instanceof TypeError) refused.push('googleUser.roles') }
  try { request.googleTokens!.scope = 'x' } catch (error) { if (error instanceof TypeError) refused.push('googleTokens.scope') }
  return refused
}

/** A store that keeps sessions as JSON text, as Redis does: every read gives a fresh copy, frozen nowhere. */
function jsonStore (): SessionStore {
  const texts = new Map<string, string>()
  return {
    get: (id, callback) => {
      const text = texts.get(id)
      callback(null, text === undefined ? null : JSON.parse(text) as Session)
    },
    set: (id, session, callback) => { texts.set(id, JSON.stringify(session)); callback() },
    destroy: (id, callback) => { texts.delete(id); callback() }
  }
}

/** The kinds of store a host may give @fastify/session: one of JSON, one that keeps live objects. */
const hostStores: Array<[string, () => SessionStore]> = [
  ['a store of JSON', jsonStore],
  ['@fastify/session\'s MemoryStore', () => new fastifySession.MemoryStore()]
]

for (const [kind, storeFor] of hostStores) {
  t.test(`in the host's session (${kind}): a route cannot change the user or the tokens in place, nor have the change saved`, async (t) => {
    const clock = testClock()
    const store = storeFor()
    const app = await startApp(t, {
      clock,
      before: hostSession(store),
      plugin: { accessType: 'offline', onSignIn: () => ({ roles: ['reader'] } as never) },
      routes: (app) => {
        app.get('/tamper', { preHandler: [app.authenticate] }, async (request) => ({ refused: tamper(request) }))
        // After a token refresh (new tokens in the session) and after updateUser (a new user), in the same request.
        app.get('/refresh-then-tamper', { preHandler: [app.authenticate] }, async (request) => {
          const client = request.googleAuth!
          client.setCredentials({ ...client.credentials, expiry_date: Date.now() - 1000 })
          const before = request.googleTokens!.accessToken
          await client.getAccessToken()
          return { refreshed: request.googleTokens!.accessToken !== before, refused: tamper(request) }
        })
        app.get('/update-then-tamper', { preHandler: [app.authenticate] }, async (request) => {
          await app.googleOAuth.updateUser(request, { roles: ['reader'] } as never)
          return { refused: tamper(request) }
        })
      }
    })
    const { headers } = await app.signInAs()
    const stored = () => new Promise<{ googleUser: { id: string, roles: unknown }, googleTokens: unknown }>((resolve, reject) => {
      const id = decodeURIComponent(/host\.sid=([^;]+)/.exec(headers.cookie)![1]!).split('.')[0]!
      store.get(id, (error, session) => error ? reject(error) : resolve(session as never))
    })
    const both = ['googleUser.roles', 'googleTokens.scope']

    // Past the touch interval: this request records activity, which saves the session.
    await clock.tick(5 * MINUTE + 1)
    t.same((await app.app.inject({ url: '/tamper', headers })).json(), { refused: both }, 'both changes throw a TypeError in the route')
    t.same((await app.app.inject({ url: '/refresh-then-tamper', headers })).json(), { refreshed: true, refused: both }, 'the refreshed tokens are read-only too')
    t.same((await app.app.inject({ url: '/update-then-tamper', headers })).json(), { refused: both }, 'and the user updateUser wrote')

    await clock.tick(5 * MINUTE + 1)
    const me = await app.app.inject({ url: '/api/me', headers })
    t.equal(me.statusCode, 200)
    t.same((me.json() as { roles: unknown }).roles, ['reader'], 'a later request, after activity was recorded, sees the user unchanged')
    const saved = await stored()
    t.same(saved.googleUser.roles, ['reader'], 'and so does the store')
    t.not(openStoredTokens(saved).scope, 'x')
  })
}
