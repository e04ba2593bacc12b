import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { GoogleOAuthEvent, GoogleOAuthOptions, UserSession } from '../../src/index.js'
import { SESSION_SECRET, startApp, type TestApp } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { fileStore } from '../fixtures/file-store.js'
import { hostSession } from '../fixtures/host-session.js'
import { CLIENT_KINDS, pluginRedisStore, ready } from '../fixtures/redis.js'
import { eventually } from '../fixtures/wait.js'

/**
 * A person's sessions as a list of their devices: `sessionsOf`, `endSession`, `signOutOthers`,
 * with the default store and the plugin's Redis store (two instances), refused elsewhere.
 */
const ADA = 'ada@example.com'
const ADA_SUB = '100000000000000000001'
const GRACE = 'grace@example.com'

/** The app's routes of a devices page, as JSON. */
function deviceRoutes (app: FastifyInstance): void {
  const guarded = { preHandler: [app.authenticate] }
  app.get('/devices', guarded, async (request) => await app.googleOAuth.sessionsOf(request))
  app.post('/devices/end', guarded, async (request) => ({ ended: await app.googleOAuth.endSession(request, (request.body as { handle: string }).handle) }))
  app.post('/devices/others', guarded, async (request) => ({ ended: await app.googleOAuth.signOutOthers(request) }))
}

const listOn = async (app: TestApp, cookie: string): Promise<UserSession[]> => (await app.app.inject({ url: '/devices', headers: { cookie } })).json()
const endOn = async (app: TestApp, cookie: string, handle: string): Promise<boolean> =>
  ((await app.app.inject({ method: 'POST', url: '/devices/end', headers: { cookie }, payload: { handle } })).json() as { ended: boolean }).ended
const meOn = async (app: TestApp, cookie: string): Promise<number> => (await app.app.inject({ url: '/api/me', headers: { cookie } })).statusCode

/** The session id inside a signed-in Cookie header (`goauth.sid=<id>.<signature>`). */
function sessionIdOf (cookie: string): { value: string, id: string } {
  const value = decodeURIComponent(/(?:^|;\s*)goauth\.sid=([^;]+)/.exec(cookie)![1]!)
  return { value, id: value.slice(0, value.lastIndexOf('.')) }
}

async function defaultStoreApp (t: Parameters<typeof startApp>[0], plugin: Partial<GoogleOAuthOptions> = {}) {
  const clock = testClock()
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { clock, routes: deviceRoutes, plugin: { oneTap: true, onEvent: (event) => { events.push(event) }, ...plugin } })
  return { app, clock, events }
}

t.test('the default store: a user\'s sessions, newest first, the request\'s own marked current', async (t) => {
  const { app, clock } = await defaultStoreApp(t)
  const laptop = await app.signInAs(ADA)
  await clock.tick(1_000)
  const phone = await app.signInAs(ADA, { via: 'one-tap' })
  await app.signInAs(GRACE)

  const list = await listOn(app, laptop.cookie)
  t.equal(list.length, 2, 'Ada\'s two sessions, not Grace\'s')
  t.match(list, [
    { method: 'one-tap', current: false, device: 'lightMyRequest' },
    { method: 'redirect', current: true, device: 'lightMyRequest' }
  ], 'newest first, each with how it signed in and from what')
  t.ok(list[0]!.startedAt > list[1]!.startedAt, 'by when they started')
  t.equal(list[1]!.lastUsedAt, clock.now() - 1_000, 'last used: its recorded activity')
  t.same((await listOn(app, phone.cookie)).map((session) => session.current), [true, false], 'current follows the request')
  t.same(await app.app.googleOAuth.sessionsOf(ADA_SUB), list.map((session) => ({ ...session, current: false })), 'by user id: the same sessions, none current')
})

t.test('a handle never is, nor contains, the cookie or the session id', async (t) => {
  const { app } = await defaultStoreApp(t)
  const ada = await app.signInAs(ADA)
  const [mine] = await listOn(app, ada.cookie)
  const { value, id } = sessionIdOf(ada.cookie)
  t.match(mine!.handle, /^[\w-]{22}$/, 'a short opaque name')
  for (const secret of [value, id]) {
    t.notOk(mine!.handle.includes(secret) || secret.includes(mine!.handle), 'unrelated to what opens the session')
  }
  t.notOk(JSON.stringify(await listOn(app, ada.cookie)).includes(id), 'nothing listed carries the id')
})

t.test('endSession ends one session as a sign-out does; the others stay', async (t) => {
  const { app, events } = await defaultStoreApp(t)
  const laptop = await app.signInAs(ADA)
  const phone = await app.signInAs(ADA)
  const phoneHandle = (await listOn(app, phone.cookie)).find((session) => session.current)!.handle
  t.equal(await endOn(app, laptop.cookie, phoneHandle), true, 'ended')
  t.equal(await meOn(app, phone.cookie), 401, 'the phone is signed out on its next request')
  t.equal(await meOn(app, laptop.cookie), 200, 'the laptop is not')
  t.equal((await listOn(app, laptop.cookie)).length, 1, 'no longer listed')
  t.equal(await endOn(app, laptop.cookie, phoneHandle), false, 'a handle of an ended session: false')
  t.match(events.filter((event) => event.type === 'sign-out'), [{ everywhere: false, sessions: 1, userId: ADA_SUB }], 'reported as a sign-out')
})

t.test('a handle of another user\'s session, or one made up, is refused: false, and nothing ends', async (t) => {
  const { app } = await defaultStoreApp(t)
  const ada = await app.signInAs(ADA)
  const grace = await app.signInAs(GRACE)
  const [graces] = await listOn(app, grace.cookie)
  t.equal(await endOn(app, ada.cookie, graces!.handle), false, 'Ada cannot end Grace\'s session')
  t.equal(await app.app.googleOAuth.endSession(ADA_SUB, graces!.handle), false, 'nor can an app acting for Ada by id')
  t.equal(await endOn(app, ada.cookie, 'x'.repeat(22)), false, 'a made-up handle')
  t.equal(await meOn(app, grace.cookie), 200, 'Grace is still signed in')
  await t.rejects(app.app.googleOAuth.endSession(ADA_SUB, 42 as unknown as string), { code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT' }, 'a handle that is no string is the app\'s mistake')
})

t.test('signOutOthers ends every session of the user but the request\'s own', async (t) => {
  const { app } = await defaultStoreApp(t)
  const kept = await app.signInAs(ADA)
  const others = [await app.signInAs(ADA), await app.signInAs(ADA)]
  const grace = await app.signInAs(GRACE)
  const answer = await app.app.inject({ method: 'POST', url: '/devices/others', headers: { cookie: kept.cookie } })
  t.same(answer.json(), { ended: 2 })
  t.same(await Promise.all(others.map((other) => meOn(app, other.cookie))), [401, 401], 'the others are signed out')
  t.same([await meOn(app, kept.cookie), await meOn(app, grace.cookie)], [200, 200], 'this one and another user\'s stay')
  t.same((await listOn(app, kept.cookie)).map((session) => session.current), [true])
})

t.test('a signed-out request is refused; ids and requests only', async (t) => {
  const { app } = await defaultStoreApp(t)
  const anonymous = await app.app.inject({ url: '/' })
  t.equal(anonymous.statusCode, 200)
  await t.rejects(app.app.googleOAuth.sessionsOf(''), { code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT' })
  await t.rejects(app.app.googleOAuth.sessionsOf({} as never), { code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT' })
  t.same(await app.app.googleOAuth.sessionsOf('nobody'), [], 'a user without sessions: none')
})

t.test('a Bearer request lists its user\'s sessions, none current, and has no session of its own to keep', async (t) => {
  const { app } = await defaultStoreApp(t, { bearer: true })
  await app.signInAs(ADA)
  const authorization = `Bearer ${app.google.idTokenFor(ADA)}`
  const listed = await app.app.inject({ url: '/devices', headers: { authorization } })
  t.same((listed.json() as UserSession[]).map((session) => session.current), [false])
  const others = await app.app.inject({ method: 'POST', url: '/devices/others', headers: { authorization } })
  t.equal(others.statusCode, 501)
  t.equal(others.json().code, 'FST_GOOGLE_OAUTH_NOT_SUPPORTED')
})

t.test('another @fastify/session store and the app\'s own @fastify/session: NOT_SUPPORTED, naming the stores that can', async (t) => {
  const generic = await startApp(t, { routes: deviceRoutes, plugin: { store: fileStore(t) } })
  const host = await startApp(t, { routes: deviceRoutes, before: hostSession() })
  for (const [name, app] of [['a generic store', generic], ['the app\'s own session', host]] as const) {
    const ada = await app.signInAs(ADA)
    const answer = await app.app.inject({ url: '/devices', headers: { cookie: ada.cookie } })
    t.equal(answer.statusCode, 501, name)
    t.equal(answer.json().code, 'FST_GOOGLE_OAUTH_NOT_SUPPORTED')
    t.match(answer.json().message, /default store.*redisStore/)
    await t.rejects(app.app.googleOAuth.endSession(ADA_SUB, 'x'), { code: 'FST_GOOGLE_OAUTH_NOT_SUPPORTED' })
    t.equal((await app.app.inject({ method: 'POST', url: '/devices/others', headers: { cookie: ada.cookie } })).statusCode, 501)
    t.equal(await meOn(app, ada.cookie), 200, 'and nothing ended')
  }
})

/** Two instances on the plugin's Redis store, near caches on for a minute: only invalidations make them forget. */
async function twoInstances (t: Parameters<typeof startApp>[0], kind: (typeof CLIENT_KINDS)[number], secrets: [string | string[], string | string[]] = [SESSION_SECRET, SESSION_SECRET]) {
  const shared = pluginRedisStore(t, { client: kind, nearCache: { ttl: 60_000 } })
  const other = pluginRedisStore(t, { client: kind, prefix: shared.prefix, nearCache: { ttl: 60_000 } })
  await ready(shared.client)
  const a = await startApp(t, { routes: deviceRoutes, plugin: { store: shared.store, secret: secrets[0] } })
  const b = await startApp(t, { routes: deviceRoutes, sharedGoogle: a.google, plugin: { store: other.store, secret: secrets[1] } })
  await eventually(async () => (await shared.client.zrange(`${shared.prefix}instances`, 0, -1)).length === 2, 'both instances listed')
  return { a, b }
}

for (const kind of CLIENT_KINDS) {
  t.test(`the plugin's Redis store (${kind}): B lists what A signed in; a session ended on A is refused on B right after the answer`, async (t) => {
    const { a, b } = await twoInstances(t, kind)
    const laptop = await a.signInAs(ADA)
    const phone = await a.signInAs(ADA)
    await a.signInAs(GRACE)
    t.equal(await meOn(b, phone.cookie), 200, 'B holds the phone\'s session in its near cache')
    const onB = await listOn(b, laptop.cookie)
    t.same(onB.map((session) => session.current).sort(), [false, true], 'B lists Ada\'s two sessions, the laptop\'s current')
    t.ok(onB[0]!.startedAt >= onB[1]!.startedAt, 'newest first')
    t.equal(await endOn(a, laptop.cookie, onB.find((session) => !session.current)!.handle), true, 'A ends the phone\'s session by the handle B listed')
    t.equal(await meOn(b, phone.cookie), 401, 'refused on B at once, no clock moved')
    t.equal(await meOn(b, laptop.cookie), 200, 'the laptop stays')
    t.equal((await listOn(b, laptop.cookie)).length, 1)
  })

  t.test(`the plugin's Redis store (${kind}): signOutOthers on B ends A's copies; another user's handle is refused`, async (t) => {
    const { a, b } = await twoInstances(t, kind)
    const kept = await a.signInAs(ADA)
    const others = [await a.signInAs(ADA), await a.signInAs(ADA)]
    const grace = await a.signInAs(GRACE)
    t.same(await Promise.all(others.map((other) => meOn(a, other.cookie))), [200, 200], 'A holds them')
    const [graces] = await listOn(a, grace.cookie)
    t.equal(await endOn(b, kept.cookie, graces!.handle), false, 'Grace\'s handle names none of Ada\'s sessions')
    t.same((await b.app.inject({ method: 'POST', url: '/devices/others', headers: { cookie: kept.cookie } })).json(), { ended: 2 })
    t.same(await Promise.all(others.map((other) => meOn(a, other.cookie))), [401, 401], 'refused on A right after B\'s answer')
    t.same([await meOn(a, kept.cookie), await meOn(a, grace.cookie)], [200, 200])
  })
}

t.test('a handle made before a rotation of `secret` still names its session', async (t) => {
  const { a, b } = await twoInstances(t, 'ioredis', [SESSION_SECRET, ['a-newer-session-secret-for-tests-0123456789', SESSION_SECRET]])
  const laptop = await a.signInAs(ADA)
  const phone = await a.signInAs(ADA)
  const phoneOnA = (await listOn(a, laptop.cookie)).find((session) => !session.current)
  t.notOk((await listOn(b, laptop.cookie)).some((session) => session.handle === phoneOnA!.handle), 'B names sessions with its newest secret')
  t.equal(await endOn(b, laptop.cookie, phoneOnA!.handle), true, 'and still knows a handle made with the older one')
  t.equal(await meOn(a, phone.cookie), 401)
})
