import type { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { redisStore, type RedisStoreOptions } from '../../src/redis/index.js'
import Fastify from 'fastify'
import { kSessionBackend } from '../../src/session/backend.js'
import type { SessionRecord } from '../../src/session/record.js'
import { tokenSeal } from '../../src/session/sealed-tokens.js'
import { SESSION_SECRET, startApp, type TestApp } from '../fixtures/app.js'
import type { Browser } from '../fixtures/browser.js'
import { testClock, HOUR } from '../fixtures/clock.js'
import { send } from '../fixtures/http-request.js'
import { CLIENT_KINDS, pluginRedisStore, privateRedis, ready, type ClientKind } from '../fixtures/redis.js'
import { eventually, until } from '../fixtures/wait.js'
import { openStoredTokens, withStoredTokens } from '../fixtures/sealed-tokens.js'

const silentLog = Fastify({ logger: false }).log

/**
 * The store's behaviour on one Redis server, with each client it takes (`only`: the tests to run,
 * by the start of their name; all by default).
 */
function suite (kind: ClientKind, only?: readonly string[]): void {
  const test = (name: string, fn: (t: Test) => Promise<void>): void => {
    if (only === undefined || only.some((start) => name.startsWith(start))) t.test(`${name} (${kind})`, fn)
  }

  /** The store's backend, without the plugin (no near cache), to call its writes directly. */
  async function directBackend (t: Test, refreshDeadline: number) {
    const { store, client, prefix } = pluginRedisStore(t, { client: kind, nearCache: false })
    await ready(client)
    const backend = store[kSessionBackend]({ timeout: 2000, clock: testClock(), maxSessionsPerUser: 10, refreshDeadline, log: silentLog, seal: tokenSeal([SESSION_SECRET], silentLog) })
    t.teardown(() => backend.close?.())
    return { backend, client, prefix }
  }

  /** A session of user 42 as the store's writes take it, signed in at `now`, for an hour. */
  const sessionRecord = (now: number, fields: Partial<SessionRecord> = {}): SessionRecord => ({
    cookie: { originalMaxAge: HOUR, expires: new Date(now + HOUR).toISOString(), path: '/', httpOnly: true, sameSite: 'lax', secure: false },
    googleUser: { id: '42', email: 'x@example.com', emailVerified: true, name: null, givenName: null, familyName: null, picture: null, locale: null, hostedDomain: null },
    googleTokens: { accessToken: 'ya29.a', refreshToken: null, idToken: 'x.y.z', expiresAt: null, scope: null },
    googleSignedInAt: now,
    googleSeenAt: now,
    ...fields
  })

  const ADA = 'ada@example.com'

  const idOf = (browser: Browser, app: TestApp): string => browser.cookiesFor(app.url)['goauth.sid']!.split('.')[0]!
  const keyOf = (prefix: string, id: string): string => `${prefix}{${id.slice(0, 8)}}:s:${id}`
  const me = (app: TestApp, cookie: string) => send(`${app.url}/api/me`, { headers: { cookie } })

  /** Commands Redis ran, from INFO commandstats: { hmget: 3, evalsha: 1, ... }. */
  async function commandStats (client: Redis): Promise<Record<string, number>> {
    const info = await client.info('commandstats')
    return Object.fromEntries([...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map(([, name, calls]) => [name!, Number(calls)]))
  }

  /** Instances of the app on one Redis prefix: what several processes of one app share. */
  async function instances (t: Test, count: number, plugin: object = {}, nearCache?: RedisStoreOptions['nearCache']) {
    const shared = pluginRedisStore(t, { client: kind, ...(nearCache !== undefined && { nearCache }) })
    await ready(shared.client)
    const apps: TestApp[] = []
    for (let i = 0; i < count; i++) {
      const own = i === 0 ? shared : pluginRedisStore(t, { client: kind, prefix: shared.prefix, ...(nearCache !== undefined && { nearCache }) })
      await ready(own.client)
      // One Google for all (only the first instance's callback is registered with it: sign in there).
      apps.push(await startApp(t, { ...(i > 0 && { sharedGoogle: apps[0]!.google }), plugin: { store: own.store, accessType: 'offline', prompt: 'consent', ...plugin } }))
    }
    return { apps, client: shared.client, prefix: shared.prefix }
  }

  test('sessions are a hash (the record and its version) under the user\'s hash tag, with the absolute timeout as TTL', async (t) => {
    const { apps: [app], client, prefix } = await instances(t, 1)
    const b = app!.browser()
    await app!.signIn(b)
    const id = idOf(b, app!)
    t.match(id, /^[\w-]{8}[\w-]{43}$/, 'a user tag, then 32 random bytes')
    const stored = await client.hgetall(keyOf(prefix, id))
    t.equal(stored.v, '1')
    t.match(JSON.parse(stored.r!), { googleUser: { email: ADA }, googleTokens: { sealed: String } })
    t.match(openStoredTokens(JSON.parse(stored.r!)), { accessToken: /^ya29\./ }, 'its tokens sealed')
    const ttl = await client.pttl(keyOf(prefix, id))
    t.ok(ttl > 7 * 24 * HOUR - 60_000 && ttl <= 7 * 24 * HOUR, 'expires with the absolute timeout')
    t.same(await client.zrange(`${prefix}{${id.slice(0, 8)}}:u:100000000000000000001`, 0, -1), [id], 'in its user\'s index')
    t.equal((await send(`${app!.url}/api/me`, { headers: { cookie: `goauth.sid=${b.cookiesFor(app!.url)['goauth.sid']!}` } })).status, 200)
  })

  test('the near cache: a signed-in request reads Redis at most once per few seconds', async (t) => {
    const redis = await privateRedis(t)
    const { store, client } = pluginRedisStore(t, { client: kind, port: redis.port })
    await ready(client)
    // A copy's age is told by the plugin's clock: only the test moves it.
    const clock = testClock()
    const app = await startApp(t, { clock, plugin: { store } })
    const { cookie } = await app.signInAs(ADA)
    const reads = async (): Promise<number> => (await commandStats(client)).hmget ?? 0
    const me = () => app.app.inject({ url: '/api/me', headers: { cookie } })
    // Copies are kept once the store's channel is up (it subscribes as the app starts, while the
    // sign-in runs): a read begun before is not kept. Until a request is answered from a copy:
    await eventually(async () => {
      const before = await reads()
      await me()
      return await reads() === before
    }, 'a request answered from the near cache')
    const before = await reads()
    for (let i = 0; i < 200; i++) t.equal((await me()).statusCode, 200)
    t.equal(await reads() - before, 0, 'no read for 200 requests in a row')
    await clock.tick(5_001)
    t.equal((await me()).statusCode, 200)
    t.equal(await reads() - before, 1, 'a copy older than the near cache\'s ttl (5 s) is read again')

    const { store: uncached, client: other } = pluginRedisStore(t, { client: kind, port: redis.port, nearCache: false })
    await ready(other)
    const plain = await startApp(t, { plugin: { store: uncached } })
    const signedIn = await plain.signInAs(ADA)
    const start = await commandStats(other)
    for (let i = 0; i < 20; i++) await plain.app.inject({ url: '/api/me', headers: signedIn.headers })
    t.equal((await commandStats(other)).hmget! - (start.hmget ?? 0), 20, 'nearCache: false reads every time')
  })

  test('a sign-out on one instance is refused on the others at once (pub/sub), though they had the session cached', async (t) => {
    // Copies kept a minute: only the invalidation message can make the others refuse within the wait.
    const { apps: [a, b, c] } = await instances(t, 3, {}, { ttl: 60_000 })
    const browser = a!.browser()
    await a!.signIn(browser)
    const cookie = `goauth.sid=${browser.cookiesFor(a!.url)['goauth.sid']!}`
    for (const app of [a!, b!, c!]) t.equal((await me(app, cookie)).status, 200, 'served (and cached) everywhere')
    const out = await send(`${b!.url}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
    t.equal(out.status, 204)
    for (const app of [a!, c!]) {
      await eventually(async () => (await me(app, cookie)).status !== 200, 'the other instances to refuse')
      t.equal((await me(app, cookie)).status, 401, 'refused there too')
    }
  })

  test('when the invalidation channel drops, the near cache is emptied and bypassed until it is back', async (t) => {
    const { apps: [a], client, prefix } = await instances(t, 1, {}, { ttl: 60_000 })
    const browser = a!.browser()
    await a!.signIn(browser)
    const id = idOf(browser, a!)
    const cookie = `goauth.sid=${browser.cookiesFor(a!.url)['goauth.sid']!}`
    t.equal((await me(a!, cookie)).status, 200, 'cached')
    // The subscriber's connection is cut, then the session removed without a message (as if it were lost).
    await client.call('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await client.del(keyOf(prefix, id))
    t.equal((await me(a!, cookie)).status, 401, 'the cached copy is not used')
    // Back: cached again.
    const b2 = a!.browser()
    await a!.signIn(b2)
    const cookie2 = `goauth.sid=${b2.cookiesFor(a!.url)['goauth.sid']!}`
    await eventually(async () => Number(((await client.pubsub('NUMSUB', `${prefix}invalidate`)) as unknown[])[1]) > 0, 'the subscription to come back')
    t.equal((await me(a!, cookie2)).status, 200)
  })

  test('signOutEverywhere on Redis: three sessions of one user end on every instance, another user\'s stay', async (t) => {
    const { apps: [a, b] } = await instances(t, 2)
    const adas = [await a!.signInAs(ADA), await a!.signInAs(ADA), await a!.signInAs(ADA)]
    const grace = await a!.signInAs('grace@example.com')
    for (const ada of adas) t.equal((await b!.app.inject({ url: '/api/me', headers: ada.headers })).statusCode, 200)
    t.equal(await a!.app.googleOAuth.signOutEverywhere(adas[0]!.user.id), 3)
    for (const app of [a!, b!]) {
      for (const ada of adas) t.equal((await app.app.inject({ url: '/api/me', headers: ada.headers })).statusCode, 401)
      t.equal((await app.app.inject({ url: '/api/me', headers: grace.headers })).statusCode, 200, 'Grace is still signed in')
    }
    t.equal(await b!.app.googleOAuth.signOutEverywhere(adas[0]!.user.id), 0, 'none left')
  })

  test('sessions per user are capped on Redis, the oldest ending first, and the index stays bounded', async (t) => {
    const { apps: [a], client, prefix } = await instances(t, 1, { maxSessionsPerUser: 2 })
    const sessions = []
    for (let i = 0; i < 5; i++) sessions.push(await a!.signInAs(ADA))
    const statuses = await Promise.all(sessions.map(async (s) => (await a!.app.inject({ url: '/api/me', headers: s.headers })).statusCode))
    t.same(statuses, [401, 401, 401, 200, 200], 'the two newest remain')
    const indexes = await client.keys(`${prefix}*:u:*`)
    t.equal(indexes.length, 1)
    t.equal(await client.zcard(indexes[0]!), 2, 'the index holds the live ones only')
    t.ok(await client.pttl(indexes[0]!) > 0, 'and expires by itself')
  })

  test('expired entries leave the index: a user\'s index never grows with old sessions', async (t) => {
    const clock = testClock()
    const { store, client, prefix } = pluginRedisStore(t, { client: kind })
    await ready(client)
    const app = await startApp(t, { clock, plugin: { store, absoluteTimeout: 2 * HOUR, idleTimeout: HOUR } })
    await app.signInAs(ADA)
    await clock.tick(3 * HOUR)
    await app.signInAs(ADA)
    const [index] = await client.keys(`${prefix}*:u:*`)
    t.equal(await client.zcard(index!), 1, 'the expired session\'s entry was dropped on the next write')
  })

  test('writes compare the version: activity never recreates a session that is gone, and a stale write is made again from the newer record', async (t) => {
    const { apps: [a, b], client, prefix } = await instances(t, 2)
    const browser = a!.browser()
    await a!.signIn(browser)
    const id = idOf(browser, a!)
    const key = keyOf(prefix, id)
    const cookie = `goauth.sid=${browser.cookiesFor(a!.url)['goauth.sid']!}`
    // Activity is due: B records it (version 2); A, still holding version 1, records it again from version 2.
    const record = JSON.parse((await client.hget(key, 'r'))!) as SessionRecord
    await client.hset(key, 'r', JSON.stringify({ ...record, googleSeenAt: record.googleSeenAt - 6 * 60_000 }))
    t.equal((await me(b!, cookie)).status, 200)
    t.equal(await client.hget(key, 'v'), '2', 'B wrote version 2')

    await client.del(key)
    await client.hset(key, 'r', JSON.stringify({ ...record, googleSeenAt: record.googleSeenAt - 6 * 60_000 }), 'v', '7')
    await client.pexpire(key, 60_000)
    const tomb = `${prefix}{${id.slice(0, 8)}}:e:${id}`
    await client.set(tomb, '1', 'PX', 60_000)
    t.equal((await me(a!, cookie)).status, 200, 'A still answers the request it authenticated')
    t.equal(await client.hget(key, 'v'), '7', 'no write over a tombstone')

    await client.del(tomb)
    await client.del(key)
    t.equal((await me(a!, cookie)).status, 401)
    t.equal(await client.exists(key), 0, 'never recreated')
  })

  test('three instances, twenty concurrent requests each, one expired access token: one call to Google', async (t) => {
    const { apps, client, prefix } = await instances(t, 3)
    const browser = apps[0]!.browser()
    await apps[0]!.signIn(browser)
    const id = idOf(browser, apps[0]!)
    const cookie = `goauth.sid=${browser.cookiesFor(apps[0]!.url)['goauth.sid']!}`
    // An hour later: the stored access token has expired (no instance has the session cached yet).
    const key = keyOf(prefix, id)
    const record = JSON.parse((await client.hget(key, 'r'))!) as SessionRecord
    await client.hset(key, 'r', JSON.stringify(withStoredTokens(record, (tokens) => ({ ...tokens, expiresAt: Date.now() - 1000 }))))
    const before = apps[0]!.tokenCalls()
    const answers = await Promise.all(apps.flatMap((app) => Array.from({ length: 20 }, () => send(`${app.url}/api/google-profile`, { headers: { cookie } }))))
    t.same(answers.map((answer) => answer.status), Array(60).fill(200))
    t.equal(apps[0]!.tokenCalls() - before, 1, 'one refresh for the 60 requests (the three instances share one fake Google)')
  })

  test('Redis down: 503, public routes up, back by itself; the outage is logged once when it starts and once when it ends', async (t) => {
    const redis = await privateRedis(t)
    const { store, client } = pluginRedisStore(t, { client: kind, port: redis.port })
    await ready(client)
    const app = await startApp(t, { plugin: { store } })
    const { cookie } = await app.signInAs(ADA)
    await redis.stop()
    for (let i = 0; i < 10; i++) {
      const down = await app.app.inject({ url: '/api/me', headers: { cookie, accept: 'application/json' } })
      t.match([down.statusCode, down.json().code], [503, 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE'])
    }
    t.equal((await app.app.inject({ url: '/' })).statusCode, 200, 'public routes keep working')
    const warnings = app.logs.filter((line) => line.includes('the session store is unavailable'))
    t.equal(warnings.length, 1, 'one warning for the outage, not one per request')
    await redis.start()
    await until(() => client.status === 'ready', 'the client to reconnect')
    await eventually(async () => (await app.app.inject({ url: '/api/me', headers: { cookie } })).statusCode === 200, 'the session to be served again')
    const recovered = app.logs.find((line) => line.includes('the session store is back'))
    t.match(JSON.parse(recovered!), { refused: Number, ms: Number })
    t.ok(JSON.parse(recovered!).refused >= 10, 'with how many requests it refused')
  })

  test('a copy in the near cache says nothing of the store: an outage is logged once, whatever requests it serves meanwhile', async (t) => {
    const redis = await privateRedis(t)
    const { store, client } = pluginRedisStore(t, { client: kind, port: redis.port, nearCache: { ttl: HOUR } })
    await ready(client)
    const clock = testClock()
    const app = await startApp(t, { clock, plugin: { store } })
    const ada = await app.signInAs(ADA)
    const grace = await app.signInAs('grace@example.com')
    const me = (headers: { cookie: string }) => app.app.inject({ url: '/api/me', headers: { ...headers, accept: 'application/json' } })
    t.equal((await me(ada.headers)).statusCode, 200, 'Ada\'s session is read, and kept in the near cache')
    /** Grace's request, its store read bounded by the plugin's clock: moved on until it is answered. */
    const graceAnswers = async (): Promise<number> => {
      let status: number | undefined
      me(grace.headers).then((answer) => { status = answer.statusCode }, () => { status = 0 })
      await eventually(async () => { await clock.tick(500); return status !== undefined }, 'Grace\'s answer')
      return status!
    }
    // Redis stops answering until the test says (its connections stay open: the subscription, and so the copies, stay).
    redis.freeze()
    for (let round = 0; round < 3; round++) {
      t.equal(await graceAnswers(), 503, 'Grace\'s session cannot be read')
      t.equal((await me(ada.headers)).statusCode, 200, 'Ada\'s copy still serves')
    }
    redis.thaw()
    await eventually(async () => (await graceAnswers()) === 200, 'Redis to answer again')
    t.equal(app.logs.filter((line) => line.includes('the session store is unavailable')).length, 1, 'one outage, logged once when it starts')
    t.equal(app.logs.filter((line) => line.includes('the session store is back')).length, 1, 'and once when the store itself answered again')
  })

  test('the store checks its options, and also serves @fastify/session\'s get/set/destroy', async (t) => {
    t.throws(() => redisStore({} as never), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION' })
    t.throws(() => redisStore(null as never), /ioredis client.*node-redis client/)
    const { store, client } = pluginRedisStore(t, { client: kind })
    await ready(client)
    t.throws(() => redisStore(client, { prefix: 'a{b}' }), /prefix/)
    t.throws(() => redisStore(client, { nearCache: { ttl: 0 } }), /nearCache/)
    t.throws(() => redisStore(client, { nearCache: { ttl: 2 ** 31 } }), /nearCache/, 'a ttl past what a timer holds')
    t.throws(() => redisStore(client, { confirmTimeout: 2 ** 31 }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /confirmTimeout/ })
    const session = { cookie: { expires: new Date(Date.now() + 60_000).toISOString() }, cart: [1, 2] }
    await new Promise<void>((resolve, reject) => store.set('plain-session-id', session, (error) => error ? reject(error) : resolve()))
    const read = await new Promise((resolve, reject) => store.get('plain-session-id', (error, value) => error ? reject(error) : resolve(value)))
    t.same(read, session)
    await new Promise<void>((resolve, reject) => store.destroy('plain-session-id', (error) => error ? reject(error) : resolve()))
    t.equal(await new Promise((resolve) => store.get('plain-session-id', (_error, value) => resolve(value))), null)
  })

  test('the store\'s writes, called directly: never on a gone session, always from the current version', async (t) => {
    const { backend, client, prefix } = await directBackend(t, 10_000)
    const now = Date.now()
    const record = (seenAt: number, role?: string): SessionRecord => sessionRecord(now, {
      googleUser: { ...sessionRecord(now).googleUser, ...(role !== undefined && { role: role as 'admin' }) },
      googleSeenAt: seenAt
    })
    const id = backend.newId('42')
    await backend.create(id, record(now))
    const read = await new Promise<SessionRecord>((resolve, reject) => backend.read(id, (error, value) => error ? reject(error) : resolve(value as SessionRecord)))

    // Another instance changes the session meanwhile (version 2, a role).
    await client.hset(keyOf(prefix, id), 'r', JSON.stringify(record(now, 'admin')), 'v', '2')
    const touched = await backend.update(id, (current) => ({ ...current, googleSeenAt: now + 1 }), read)
    t.equal(touched?.googleUser.role, 'admin', 'made again from version 2: the other write is kept')
    t.equal(touched?.googleSeenAt, now + 1)
    t.equal(await client.hget(keyOf(prefix, id), 'v'), '3')

    // The session expires in Redis (its TTL) while a write holding version 3 is on its way.
    await client.del(keyOf(prefix, id))
    t.equal(await backend.update(id, (current) => ({ ...current, googleSeenAt: now + 2 }), touched!), null)
    t.equal(await client.exists(keyOf(prefix, id)), 0, 'not recreated (it would have no TTL: a session forever)')
  })

  test('a refresh holds its lock longer than a refresh can take, and a write under a lock that lapsed never lands', async (t) => {
    // A refresh may take two calls of a 20 s googleTimeout, and the store's write.
    const { backend, client, prefix } = await directBackend(t, 41_000)
    const now = Date.now()
    const tokens = (accessToken: string) => ({ accessToken, refreshToken: 'r', idToken: 'x.y.z', expiresAt: now - 1000, scope: null })
    const id = backend.newId('42')
    await backend.create(id, sessionRecord(now, { googleTokens: tokens('ya29.old') }))
    const lockKey = `${prefix}{${id.slice(0, 8)}}:l:${id}`
    const save = (accessToken: string) => backend.update(id, (current) => ({ ...current, googleTokens: tokens(accessToken) }))

    let lockTtl = 0
    await backend.refreshOnce!(id, tokens('ya29.old'), async () => {
      lockTtl = await client.pttl(lockKey)
      await save('ya29.first')
      return tokens('ya29.first')
    })
    t.ok(lockTtl > 41_000, `the lock outlives the refresh deadline (${lockTtl} ms left at its start)`)

    const refused = backend.refreshOnce!(id, tokens('ya29.first'), async () => {
      // The lock lapses and another instance takes it and saves newer tokens.
      await client.set(lockKey, 'another-instance', 'PX', 60_000)
      await client.hset(keyOf(prefix, id), 'v', '99')
      await save('ya29.late')
      return tokens('ya29.late')
    })
    await t.rejects(refused, { code: 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE', reason: 'redis-lock-lost' }, 'the late write is refused')
    t.equal(openStoredTokens(JSON.parse((await client.hget(keyOf(prefix, id), 'r'))!)).accessToken, 'ya29.first', 'the tokens are not overwritten')
  })

  test('a route cannot change the user or the tokens read from Redis, in place or through an activity write (near cache on and off)', async (t) => {
    for (const nearCache of [undefined, false] as const) {
      const { store, client, prefix } = pluginRedisStore(t, { client: kind, ...(nearCache !== undefined && { nearCache }) })
      await ready(client)
      const clock = testClock()
      const app = await startApp(t, {
        clock,
        plugin: { store, onSignIn: () => ({ roles: ['reader'] } as never) },
        routes: (app) => app.get('/tamper', { preHandler: [app.authenticate] }, async (request) => {
          const refused: string[] = []
          try { (request.googleUser as unknown as { roles: string[] }).roles.push('admin') } catch (error) { if (error instanceof TypeError) refused.push('googleUser.roles') }
          try { request.googleTokens!.scope = 'x' } catch (error) { if (error instanceof TypeError) refused.push('googleTokens.scope') }
          return { refused }
        })
      })
      const { headers } = await app.signInAs(ADA)
      // (No activity is recorded on this request: the record is as the store gave it.)
      t.same((await app.app.inject({ url: '/tamper', headers })).json(), { refused: ['googleUser.roles', 'googleTokens.scope'] }, `both changes throw (nearCache ${String(nearCache ?? 'on')})`)
      await clock.tick(5 * 60_000 + 1)
      t.same((await app.app.inject({ url: '/api/me', headers })).json().roles, ['reader'], 'a later request, after activity was recorded, sees the user unchanged')
      const id = /goauth\.sid=([^.;]+)/.exec(headers.cookie)![1]!
      const stored = JSON.parse((await client.hget(keyOf(prefix, id), 'r'))!) as SessionRecord
      t.same((stored.googleUser as unknown as { roles: unknown }).roles, ['reader'], 'and so does Redis')
      t.not(openStoredTokens(stored).scope, 'x')
    }
  })
}

for (const kind of CLIENT_KINDS) suite(kind)
suite('ioredis5', ['sessions are a hash', 'a sign-out on one instance', 'Redis down'])
