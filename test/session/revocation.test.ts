import type { Session } from 'fastify'
import t from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import { Revocations } from '../../src/session/revocations.js'
import { startApp } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { pluginRedisStore, ready } from '../fixtures/redis.js'

/**
 * A user's revocation (`signOutEverywhere`, a Bearer sign-out) refuses what began before it: the
 * admissions still under way (a callback, a Bearer verification) included (security checklist
 * row 39), whatever the store; and a new sign-in always ends the browser's previous session
 * (row 42).
 */
const ADA = '100000000000000000001'

/** A gate a hook waits at: `reached` once it arrived, `open()` to let it go on. */
function gate () {
  let arrive!: () => void
  let open!: () => void
  const reached = new Promise<void>((resolve) => { arrive = resolve })
  const opened = new Promise<void>((resolve) => { open = resolve })
  return { reached, open, wait: async () => { arrive(); await opened } }
}

const stores = {
  'the default store': () => undefined,
  'the Redis store': (test: Parameters<typeof pluginRedisStore>[0]) => pluginRedisStore(test)
}

for (const [name, makeStore] of Object.entries(stores)) {
  t.test(`${name}: a redirect sign-in under way when its user is signed out everywhere is refused, and stores nothing`, async (t) => {
    const redis = makeStore(t)
    if (redis !== undefined) await ready(redis.client)
    const held = gate()
    const events: GoogleOAuthEvent[] = []
    const app = await startApp(t, {
      plugin: {
        ...(redis !== undefined && { store: redis.store }),
        onSignIn: async () => { await held.wait() },
        onEvent: (event) => { events.push(event) }
      }
    })
    const signingIn = app.signInAs('ada@example.com')
    await held.reached
    t.equal(await app.app.googleOAuth.signOutEverywhere(ADA), 0, 'no session yet')
    held.open()
    await t.rejects(signingIn, /409 FST_GOOGLE_OAUTH_SIGN_IN_INTERRUPTED/, 'the callback is refused: 409')
    t.notOk(events.some((event) => event.type === 'sign-in'), 'no sign-in reported')
    if (redis !== undefined) t.same(await redis.client.keys(`${redis.prefix}*:s:*`), [], 'no session in Redis')
  })

  t.test(`${name}: a Bearer verification under way when its user is signed out everywhere is refused, and not cached`, async (t) => {
    const redis = makeStore(t)
    if (redis !== undefined) await ready(redis.client)
    const clock = testClock()
    let held: ReturnType<typeof gate> | null = gate()
    let calls = 0
    const app = await startApp(t, {
      clock,
      plugin: {
        bearer: true,
        ...(redis !== undefined && { store: redis.store }),
        onSignIn: async () => { calls++; await held?.wait() }
      }
    })
    const token = app.google.idTokenFor('ada@example.com')
    await clock.tick(1_000)
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' }
    const verifying = app.app.inject({ url: '/api/me', headers })
    await held.reached
    await app.app.googleOAuth.signOutEverywhere(ADA)
    const gateOpen = held
    held = null
    gateOpen.open()
    const answer = await verifying
    t.match([answer.statusCode, answer.json().code], [401, 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN'], 'refused: it began before the sign-out')
    t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 401, 'and refused after: nothing was cached')
    t.equal(calls, 1, 'onSignIn was not asked again')
  })
}

/** The default store, whose reads of one id fail as a store blip would, the number of times asked. */
class BlippingStore extends CountingStore {
  blips = new Map<string, number>()
  override get (id: string, callback: (error: unknown, session?: Session | null) => void): void {
    const left = this.blips.get(id) ?? 0
    if (left > 0) {
      this.blips.set(id, left - 1)
      return callback(new Error('connect ETIMEDOUT'))
    }
    super.get(id, callback)
  }
}

const sessionIdOf = (cookie: string): string => /goauth\.sid=([^.;]+)/.exec(cookie)![1]!

t.test('a new sign-in ends the browser\'s previous session even when the store could not read it (a blip)', async (t) => {
  const store = new BlippingStore()
  const app = await startApp(t, { plugin: { store } })
  const first = await app.signInAs('ada@example.com')
  const firstId = sessionIdOf(first.cookie)
  // The start of the sign-in reads it (fine), its callback's read fails.
  store.blips.set(firstId, 2)
  const second = await app.signInAs('grace@example.com', { cookie: first.cookie })
  t.not(sessionIdOf(second.cookie), firstId, 'a new session')
  t.equal((await app.app.inject({ url: '/api/me', headers: second.headers })).statusCode, 200, 'the new one works')
  t.equal((await app.app.inject({ url: '/api/me', headers: first.headers })).statusCode, 401, 'the previous one ended: never both alive')
})

t.test('when the previous session can be neither read nor ended, the sign-in fails with 503 and nothing changes', async (t) => {
  const store = new BlippingStore()
  const app = await startApp(t, { plugin: { store } })
  const first = await app.signInAs('ada@example.com')
  store.blips.set(sessionIdOf(first.cookie), 2)
  const destroy = store.destroy.bind(store)
  store.destroy = (id, callback) => id === sessionIdOf(first.cookie) ? callback(new Error('connect ETIMEDOUT')) : destroy(id, callback)
  await t.rejects(app.signInAs('grace@example.com', { cookie: first.cookie }), /503 FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE/)
  t.equal(store.size, 1, 'no new session stored')
  t.equal((await app.app.inject({ url: '/api/me', headers: first.headers })).statusCode, 200, 'the previous session is as it was')
})

t.test('Revocations: an admission is interrupted by a revocation learned after it began, or one no older than it', async (t) => {
  const clock = testClock()
  const local = new Revocations({ now: clock.now })
  const before = local.begin()
  await clock.tick(10)
  local.learn('u1', clock.now())
  t.ok(local.interrupted(before, 'u1'), 'learned after the admission began')
  t.notOk(local.interrupted(before, 'u2'), 'another user')
  await clock.tick(10)
  t.notOk(local.interrupted(local.begin(), 'u1'), 'an admission begun after it')
  t.equal(local.known('u2'), 0, 'in process: never revoked is known')

  let fetched = 0
  let stored = 0
  const shared = new Revocations({ now: clock.now, fetch: async () => { fetched++; return stored }, trustFor: 5_000, live: false })
  t.equal(shared.known('u1'), undefined, 'shared, channel down: nothing is vouched for')
  t.equal(await shared.get('u1'), 0)
  t.equal(shared.known('u1'), undefined, 'what was read while the channel was down is not kept')
  shared.up()
  stored = 123
  t.equal(await shared.get('u1'), 123, 'read from the store')
  t.equal(shared.get('u1'), 123, 'then known')
  t.equal(fetched, 2)
  await clock.tick(5_001)
  t.equal(shared.known('u1'), undefined, 'trusted for trustFor only: an instance that missed a message asks again')
  const reading = shared.get('u1')
  shared.down()
  shared.up()
  await reading
  t.equal(shared.known('u1'), undefined, 'a read begun before the channel restarted is not kept')
  const heard: string[] = []
  shared.onRevoked((userId) => heard.push(userId))
  shared.learn('u3', 50)
  t.equal(shared.known('u3'), 50, 'a message is trusted')
  t.same(heard, ['u3'], 'and told to the caches')
})
