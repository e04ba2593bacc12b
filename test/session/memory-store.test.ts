import { inspect } from 'node:util'
import type { FastifyRequest, Session } from 'fastify'
import t from 'tap'
import { BoundedMemoryStore, type MemoryStoreOptions } from '../../src/index.js'
import { startApp } from '../fixtures/app.js'
import { DAY, MINUTE, testClock } from '../fixtures/clock.js'
import { openStoredTokens } from '../fixtures/sealed-tokens.js'

const get = (store: BoundedMemoryStore, id: string) =>
  new Promise<unknown>((resolve) => store.get(id, (_error, session) => resolve(session)))
const set = (store: BoundedMemoryStore, id: string, value: object) =>
  new Promise<void>((resolve) => store.set(id, value as Session, () => resolve()))

t.test('gives back what a networked store would: a JSON copy, frozen', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 10, ttl: 60_000 })
  const original = { when: new Date(0), nested: { n: 1 } }
  await set(store, 'a', original)
  original.nested.n = 2
  const stored = await get(store, 'a') as { when: unknown, nested: { n: number } }
  t.same(stored, { when: '1970-01-01T00:00:00.000Z', nested: { n: 1 } }, 'a Date comes back a string; later changes do not leak in')
  t.ok(Object.isFrozen(stored) && Object.isFrozen(stored.nested))
  t.equal(await get(store, 'missing'), null)
})

t.test('bounded: the least recently used sessions go first', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 3, ttl: 60_000 })
  for (const id of ['a', 'b', 'c']) await set(store, id, { id })
  await get(store, 'a')
  await set(store, 'd', { id: 'd' })
  t.equal(store.size, 3)
  t.equal(await get(store, 'b'), null, 'the least recently used one was evicted')
  t.same(await get(store, 'a'), { id: 'a' })
})

t.test('expired sessions are removed from memory, even if nobody reads them again', async (t) => {
  const clock = testClock()
  const store = new BoundedMemoryStore({ maxSessions: 1000, ttl: 100, clock })
  for (let i = 0; i < 100; i++) await set(store, `s${i}`, { i })
  t.equal(store.size, 100)
  await clock.tick(99)
  t.equal(store.size, 100, 'kept within their time to live')
  await clock.tick(102)
  t.equal(store.size, 0, 'purged without any read')
})

t.test('destroy removes at once', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 10, ttl: 60_000 })
  await set(store, 'a', { a: 1 })
  await new Promise<void>((resolve) => store.destroy('a', () => resolve()))
  t.equal(await get(store, 'a'), null)
})

const session = (user: string, n: number) => ({ googleUser: { id: user }, n })

t.test('one user cannot push everybody else out: sessions per user are capped, the user\'s oldest go first (security checklist row 35)', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 20, ttl: 60_000, maxSessionsPerUser: 3 })
  await set(store, 'grace-1', session('grace', 1))
  for (let i = 1; i <= 50; i++) await set(store, `ada-${i}`, session('ada', i))
  t.same(store.sessionsOf('ada'), ['ada-48', 'ada-49', 'ada-50'], 'only ada\'s three newest remain')
  t.same(await get(store, 'grace-1'), session('grace', 1), 'grace is still signed in')
  t.equal(store.size, 4)
  t.equal(await get(store, 'ada-47'), null, 'an older session of ada is gone from the store')
})

t.test('rewriting a session keeps its place among the user\'s sessions', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 20, ttl: 60_000, maxSessionsPerUser: 2 })
  await set(store, 'a', session('ada', 1))
  await set(store, 'b', session('ada', 2))
  await set(store, 'a', session('ada', 3)) // recorded activity on the oldest
  await set(store, 'c', session('ada', 4))
  t.same(store.sessionsOf('ada'), ['b', 'c'], 'the oldest by sign-in went first')
})

t.test('the index follows evictions, expiry and destroy, and ends all of a user\'s sessions', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 2, ttl: 60_000 })
  await set(store, 'a', session('ada', 1))
  await set(store, 'b', session('ada', 2))
  await set(store, 'c', session('grace', 1))
  t.same(store.sessionsOf('ada'), ['b'], 'the evicted session left the index')
  await new Promise<void>((resolve) => store.destroy('b', () => resolve()))
  t.same(store.sessionsOf('ada'), [])
  await set(store, 'd', session('grace', 2))
  t.equal(store.destroyAllOf('grace'), 2)
  t.equal(store.size, 0)
  await set(store, 'e', { other: 'data' })
  t.same(store.sessionsOf('undefined'), [], 'sessions of no user are stored, not indexed')
  t.equal(store.size, 1)
})

t.test('onExpire hears each session that expired (read or purged), not those evicted, destroyed or replaced', async (t) => {
  const clock = testClock()
  const expired: unknown[] = []
  const store = new BoundedMemoryStore({ maxSessions: 2, ttl: 60_000, clock, onExpire: (session) => expired.push(session) })
  await set(store, 'evicted', { n: 0 })
  await set(store, 'read', { n: 1 })
  await set(store, 'purged', { n: 2 })
  await set(store, 'purged', { n: 3 })
  store.destroy('read', () => {})
  await set(store, 'read', { n: 4 })
  await clock.tick(60_001)
  t.equal(await get(store, 'read'), null)
  await clock.tick(60_000)
  t.same(expired.map((session) => (session as { n: number }).n).sort(), [3, 4])
})

t.test('without maxSessionsPerUser, one user keeps at most 10 sessions (the oldest go) and nobody else loses theirs', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 1000, ttl: 60_000 })
  await set(store, 'grace-1', session('grace', 1))
  for (let i = 1; i <= 25; i++) await set(store, `ada-${i}`, session('ada', i))
  t.same(store.sessionsOf('ada'), Array.from({ length: 10 }, (_, i) => `ada-${i + 16}`), 'ada\'s ten newest')
  t.equal(await get(store, 'ada-15'), null, 'an older one is gone from the store')
  t.same(await get(store, 'grace-1'), session('grace', 1), 'grace is still signed in')
  t.equal(store.size, 11)
})

t.test('maxSessionsPerUser: Infinity lifts the per-user cap', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 1000, ttl: 60_000, maxSessionsPerUser: Infinity })
  for (let i = 1; i <= 25; i++) await set(store, `ada-${i}`, session('ada', i))
  t.equal(store.sessionsOf('ada').length, 25)
})

t.test('options the store cannot work with are refused at construction, with the option named', async (t) => {
  const valid: MemoryStoreOptions = { maxSessions: 100, ttl: 60_000 }
  const refused: Array<[string, unknown]> = [
    ['maxSessions', { ...valid, maxSessions: 0 }],
    ['maxSessions', { ...valid, maxSessions: 1.5 }],
    ['maxSessions', { ...valid, maxSessions: Infinity }],
    ['maxSessions', { ttl: 60_000 }],
    ['maxSessions', { ...valid, maxSessions: '100' }],
    ['ttl', { ...valid, ttl: 0 }],
    ['ttl', { ...valid, ttl: -1 }],
    ['ttl', { ...valid, ttl: NaN }],
    ['ttl', { ...valid, ttl: Infinity }],
    ['ttl', { ...valid, ttl: 1.5 }],
    ['ttl', { ...valid, ttl: 2_147_483_648 }],
    ['ttl', { maxSessions: 100 }],
    ['maxSessionsPerUser', { ...valid, maxSessionsPerUser: 0 }],
    ['maxSessionsPerUser', { ...valid, maxSessionsPerUser: -Infinity }],
    ['maxSessionsPerUser', { ...valid, maxSessionsPerUser: 2.5 }],
    ['maxSessionsPerUser', { ...valid, maxSessionsPerUser: null }],
    ['options', undefined]
  ]
  for (const [option, options] of refused) {
    t.throws(() => new BoundedMemoryStore(options as MemoryStoreOptions), {
      code: 'FST_GOOGLE_OAUTH_INVALID_OPTION',
      reason: `memory-store:${option}`,
      message: new RegExp(`BoundedMemoryStore\\(.*\\b${option}\\b`)
    }, `${option}: ${inspect(options)}`)
  }
  t.doesNotThrow(() => new BoundedMemoryStore({ ...valid, ttl: 2_147_483_647, maxSessionsPerUser: 1 }), 'the longest ttl, the smallest cap')
})

/** What a route manages to change of the signed-in user and tokens: the names of the changes refused. */
function tamper (request: FastifyRequest): string[] {
  const refused: string[] = []
  try { (request.googleUser as unknown as { roles: string[] }).roles.push('admin') } catch (error) { if (error instanceof TypeError) refused.push('googleUser.roles') }
  try { request.googleTokens!.scope = 'x' } catch (error) { if (error instanceof TypeError) refused.push('googleTokens.scope') }
  return refused
}

t.test('in the plugin\'s sessions on this store, a route cannot change the user or the tokens in place, nor through an activity write', async (t) => {
  const clock = testClock()
  const store = new BoundedMemoryStore({ maxSessions: 100, ttl: DAY })
  const app = await startApp(t, {
    clock,
    plugin: { store, onSignIn: () => ({ roles: ['reader'] } as never) },
    routes: (app) => app.get('/tamper', { preHandler: [app.authenticate] }, async (request) => ({ refused: tamper(request) }))
  })
  const { headers } = await app.signInAs()
  await clock.tick(5 * MINUTE + 1)
  const answer = await app.app.inject({ url: '/tamper', headers })
  t.same(answer.json(), { refused: ['googleUser.roles', 'googleTokens.scope'] }, 'both changes throw a TypeError in the route')
  await clock.tick(5 * MINUTE + 1)
  const me = await app.app.inject({ url: '/api/me', headers })
  t.same((me.json() as { roles: unknown }).roles, ['reader'], 'a later request, after activity was recorded, sees the user unchanged')
  const id = decodeURIComponent(/goauth\.sid=([^;]+)/.exec(headers.cookie)![1]!).split('.')[0]!
  const stored = await get(store, id) as { googleUser: { roles: unknown } }
  t.same(stored.googleUser.roles, ['reader'], 'and so does the store')
  t.not(openStoredTokens(stored).scope, 'x')
})
