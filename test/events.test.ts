import t from 'tap'
import type { GoogleOAuthEvent } from '../src/index.js'
import { startApp } from './fixtures/app.js'
import { HOUR, testClock } from './fixtures/clock.js'
import { hostSession } from './fixtures/host-session.js'
import { until } from './fixtures/wait.js'

const TOKEN_LIKE = /ya29\.|eyJ[\w-]+\.|1\/\/|4\/0/
const signOut = (headers: Record<string, string>) => ({ method: 'POST' as const, url: '/logout', headers: { ...headers, 'sec-fetch-site': 'same-origin' } })

t.test('onEvent hears sign-ins, refusals, sign-outs, expiry and refreshes, with ids and never a token', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const clock = testClock()
  const app = await startApp(t, {
    clock,
    plugin: {
      accessType: 'offline',
      prompt: 'consent',
      allowedDomains: ['example.com'],
      onEvent: (event) => { events.push(event) }
    }
  })
  const ada = await app.signInAs('ada@example.com')
  const adaId = ada.user.id
  t.match(events.at(-1), { type: 'sign-in', userId: adaId, requestId: String, at: Number, scopes: ['openid', /email/, /profile/] })

  await t.rejects(app.signInAs('charles@analytical.example'), /403/)
  t.match(events.at(-1), { type: 'sign-in-refused', reason: 'email-not-allowed', userId: String, requestId: String })

  t.equal((await app.app.inject({ url: '/api/google-profile?expire=1', headers: ada.headers })).statusCode, 200)
  t.match(events.at(-1), { type: 'token-refreshed', userId: adaId, requestId: String })

  app.google.revokeAll()
  t.equal((await app.app.inject({ url: '/api/google-profile?expire=1', headers: { ...ada.headers, accept: 'application/json' } })).statusCode, 401)
  t.match(events.slice(-2), [{ type: 'token-refresh-failed', reason: 'refresh:invalid_grant', userId: adaId }, { type: 'reauth-required', userId: adaId }])

  const grace = await app.signInAs('grace@example.com')
  t.equal((await app.app.inject(signOut(grace.headers))).statusCode, 204)
  t.match(events.at(-1), { type: 'sign-out', everywhere: false, sessions: 1, userId: grace.user.id, requestId: String })

  const idle = await app.signInAs('ada@example.com')
  await clock.tick(25 * HOUR)
  t.equal((await app.app.inject({ url: '/api/me', headers: idle.headers })).statusCode, 401)
  t.match(events.at(-1), { type: 'session-expired', reason: 'idle', userId: adaId })

  t.same([...new Set(events.map((event) => event.type))].sort(), ['reauth-required', 'session-expired', 'sign-in', 'sign-in-refused', 'sign-out', 'token-refresh-failed', 'token-refreshed'])
  t.notMatch(JSON.stringify(events), TOKEN_LIKE, 'no token, code or cookie in any event')
  t.ok(events.every((event) => Object.isFrozen(event)), 'listeners get frozen events')
})

t.test('session-expired: the default store reports idle sessions as it drops them; any store, sessions that come back too old', async (t) => {
  const clock = testClock()
  const events: GoogleOAuthEvent[] = []
  const onEvent = (event: GoogleOAuthEvent): void => { events.push(event) }
  const memory = await startApp(t, { clock, plugin: { onEvent } })
  const ada = await memory.signInAs('ada@example.com')
  await clock.tick(24 * HOUR + 60_000)
  t.match(events.filter((event) => event.type === 'session-expired'), [{ reason: 'idle', userId: ada.user.id, requestId: null }], 'without a request')
  t.equal((await memory.app.inject({ url: '/api/me', headers: ada.headers })).statusCode, 401)

  events.length = 0
  const { CountingStore } = await import('./fixtures/counting-store.js')
  const shared = await startApp(t, { clock, plugin: { onEvent, store: new CountingStore(), idleTimeout: HOUR, absoluteTimeout: HOUR } })
  const grace = await shared.signInAs('grace@example.com')
  await clock.tick(HOUR + 1)
  t.equal((await shared.app.inject({ url: '/api/me', headers: grace.headers })).statusCode, 401)
  t.match(events.filter((event) => event.type === 'session-expired'), [{ reason: 'absolute', userId: grace.user.id, requestId: String }], 'in the request that brought it')
})

t.test('a listener that throws or rejects never breaks the request', async (t) => {
  for (const onEvent of [() => { throw new Error('metrics down') }, async () => { throw new Error('metrics down') }]) {
    const app = await startApp(t, { plugin: { onEvent } })
    const { headers } = await app.signInAs('ada@example.com')
    t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 200, 'signed in')
    t.equal((await app.app.inject(signOut(headers))).statusCode, 204, 'and out')
    await until(() => app.logs.some((line) => line.includes('the onEvent listener failed')), 'the warning')
    t.notMatch(app.logs.join(''), /metrics down/, 'logged without its message')
  }
})

t.test('signOutEverywhere ends every session of one user and no other\'s, in any store of the plugin; the app\'s own @fastify/session says it is not supported', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { plugin: { onEvent: (event) => { events.push(event) } } })
  const adas = [await app.signInAs('ada@example.com'), await app.signInAs('ada@example.com'), await app.signInAs('ada@example.com')]
  const grace = await app.signInAs('grace@example.com')
  t.equal(await app.app.googleOAuth.signOutEverywhere(adas[0]!.user.id), 3)
  for (const ada of adas) t.equal((await app.app.inject({ url: '/api/me', headers: ada.headers })).statusCode, 401)
  t.equal((await app.app.inject({ url: '/api/me', headers: grace.headers })).statusCode, 200, 'grace is still signed in')
  t.match(events.at(-1), { type: 'sign-out', everywhere: true, sessions: 3, userId: adas[0]!.user.id, requestId: null })
  t.equal(await app.app.googleOAuth.signOutEverywhere('nobody'), 0)

  const { fileStore } = await import('./fixtures/file-store.js')
  // A store without an index of sessions by user cannot count them: they are refused by their sign-in time.
  const clock = testClock()
  const generic = await startApp(t, { clock, plugin: { store: fileStore(t) } })
  const signedIn = await generic.signInAs('ada@example.com')
  const graceThere = await generic.signInAs('grace@example.com')
  t.equal(await generic.app.googleOAuth.signOutEverywhere(signedIn.user.id), 0, 'none counted')
  t.equal((await generic.app.inject({ url: '/api/me', headers: signedIn.headers })).statusCode, 401, 'the session is refused all the same')
  t.equal((await generic.app.inject({ url: '/api/me', headers: graceThere.headers })).statusCode, 200, 'another user\'s stays')
  await clock.tick(1)
  const again = await generic.signInAs('ada@example.com')
  t.equal((await generic.app.inject({ url: '/api/me', headers: again.headers })).statusCode, 200, 'a sign-in after it works')
  const host = await startApp(t, { before: hostSession() })
  await t.rejects(host.app.googleOAuth.signOutEverywhere('1'), { code: 'FST_GOOGLE_OAUTH_NOT_SUPPORTED', message: /per-user index/ })
})

t.test('fastify.googleOAuth.signOut signs the request\'s user out from the app\'s own code, in both session modes', async (t) => {
  for (const before of [undefined, hostSession()]) {
    const app = await startApp(t, {
      ...(before !== undefined && { before }),
      routes: (app) => app.delete('/account', { preHandler: [app.authenticate] }, async (request, reply) => {
        await app.googleOAuth.signOut(request, reply)
        return { deleted: true }
      })
    })
    const { headers } = await app.signInAs('ada@example.com')
    const response = await app.app.inject({ method: 'DELETE', url: '/account', headers })
    t.same(response.json(), { deleted: true })
    if (before === undefined) t.match(response.headers['set-cookie'], /goauth\.sid=;.*Max-Age=0/, 'the cookie is cleared')
    t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 401, 'the session is gone on the server')
  }
})
