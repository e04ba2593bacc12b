import t, { type Test } from 'tap'
import type { RedisStoreOptions } from '../../src/redis/index.js'
import type { SessionRecord } from '../../src/session/record.js'
import { DEFAULT_ACCOUNTS, type SignedIn } from '../../src/testing/index.js'
import { startApp, type TestApp } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'
import { CLIENT_KINDS, type ClientKind } from '../fixtures/redis.js'
import { clusterStore, clusterUp, inspector, manyAccounts } from '../fixtures/redis-cluster.js'
import { withStoredTokens } from '../fixtures/sealed-tokens.js'
import { eventually } from '../fixtures/wait.js'

/**
 * The plugin's Redis store on a Redis Cluster of 3 masters and 3 replicas, with each client: a
 * user's keys share one slot, users spread over every master, and what instances tell each other
 * (invalidations, confirmations, the refresh's lock) holds across the nodes.
 */
const USERS = 12
const accounts = [...DEFAULT_ACCOUNTS, ...manyAccounts(USERS)]
const ports = clusterUp()

const sessionId = (signedIn: SignedIn): string => /goauth\.sid=([^.;]+)/.exec(signedIn.cookie)![1]!
const keyOf = (prefix: string, id: string): string => `${prefix}{${id.slice(0, 8)}}:s:${id}`
const me = (app: TestApp, signedIn: SignedIn) => app.app.inject({ url: '/api/me', headers: { ...signedIn.headers, accept: 'application/json' } })

/** Instances of one app, each with its own cluster client, on one prefix; sign in on the first. */
async function instances (t: Test, kind: ClientKind, count: number, options: RedisStoreOptions = {}) {
  const cluster = await ports
  const first = await clusterStore(t, kind, cluster, options)
  const redis = inspector(t, cluster, first.prefix)
  const apps: TestApp[] = []
  for (let i = 0; i < count; i++) {
    const store = i === 0 ? first.store : (await clusterStore(t, kind, cluster, { ...options, prefix: first.prefix })).store
    apps.push(await startApp(t, {
      ...(i > 0 ? { sharedGoogle: apps[0]!.google } : { google: { accounts } }),
      plugin: { store, accessType: 'offline', prompt: 'consent' }
    }))
  }
  return { apps, redis, prefix: first.prefix }
}

for (const kind of CLIENT_KINDS) {
  t.test(`sessions spread over every master, each served (${kind})`, async (t) => {
    const { apps: [app], redis, prefix } = await instances(t, kind, 1)
    const signedIn: SignedIn[] = []
    for (let i = 0; i < USERS; i++) signedIn.push(await app!.signInAs(`user${i}@example.com`))
    const perMaster = await Promise.all(redis.nodes('master').map(async (node) => (await node.keys(`${prefix}*:s:*`)).length))
    t.equal(perMaster.length, 3, 'three masters')
    t.ok(perMaster.every((count) => count > 0), `sessions on every master (${perMaster.join(', ')})`)
    t.equal(perMaster.reduce((a, b) => a + b, 0), USERS)
    for (const session of signedIn) t.equal((await me(app!, session)).statusCode, 200)
  })

  t.test(`signOutEverywhere across slots: each user's sessions end on every instance, others stay (${kind})`, async (t) => {
    const { apps: [a, b] } = await instances(t, kind, 2)
    const users = ['user0@example.com', 'user1@example.com', 'user2@example.com', 'user3@example.com']
    const sessions = new Map<string, SignedIn[]>()
    for (const user of users) sessions.set(user, [await a!.signInAs(user), await a!.signInAs(user)])
    for (const list of sessions.values()) for (const session of list) t.equal((await me(b!, session)).statusCode, 200, 'cached by B')
    const [gone, kept] = [users.slice(0, 3), users.slice(3)]
    for (const user of gone) t.equal(await a!.app.googleOAuth.signOutEverywhere(sessions.get(user)![0]!.user.id), 2, `${user}: two sessions ended`)
    for (const app of [a!, b!]) {
      for (const user of gone) for (const session of sessions.get(user)!) t.equal((await me(app, session)).statusCode, 401, `${user} refused`)
      for (const user of kept) for (const session of sessions.get(user)!) t.equal((await me(app, session)).statusCode, 200, `${user} still signed in`)
    }
  })

  t.test(`a sign-out on one instance is refused at once by another that had it cached, whatever node each listens on (${kind})`, async (t) => {
    // Copies kept a minute: only the invalidation, confirmed before the answer, makes B refuse.
    const { apps: [a, b], redis, prefix } = await instances(t, kind, 2, { nearCache: { ttl: 60_000 } })
    // B lists itself once its subscription is up (its near cache is bypassed until then): from then
    // on it keeps copies, and A's sign-outs wait for its confirmation.
    await eventually(async () => (await redis.zrange(`${prefix}instances`, 0, -1)).length === 2, 'both instances listed')
    for (let i = 0; i < 6; i++) {
      const session = await a!.signInAs(`user${i}@example.com`)
      t.equal((await me(b!, session)).statusCode, 200)
      t.equal((await me(b!, session)).statusCode, 200, 'B serves it from its copy')
      const out = await a!.app.inject({ method: 'POST', url: '/logout', headers: { ...session.headers, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
      t.equal(out.statusCode, 204)
      t.equal((await me(b!, session)).statusCode, 401, `user${i}: B refuses right after the answer`)
    }
    t.equal((await redis.zrange(`${prefix}instances`, 0, -1)).length, 2, 'both instances are listed as listening')
    t.equal(a!.logs.filter((line) => line.includes('not confirmed in time')).length, 0, 'every sign-out was confirmed')
  })

  t.test(`three instances, twenty concurrent requests each, an expired access token: one refresh (${kind})`, async (t) => {
    const { apps, redis, prefix } = await instances(t, kind, 3)
    const session = await apps[0]!.signInAs('user5@example.com')
    const key = keyOf(prefix, sessionId(session))
    const record = JSON.parse((await redis.hget(key, 'r'))!) as SessionRecord
    await redis.hset(key, 'r', JSON.stringify(withStoredTokens(record, (tokens) => ({ ...tokens, expiresAt: Date.now() - 1000 }))))
    const before = apps[0]!.tokenCalls()
    const answers = await Promise.all(apps.flatMap((app) => Array.from({ length: 20 }, () => send(`${app.url}/api/google-profile`, { headers: session.headers }))))
    t.same(answers.map((answer) => answer.status), Array(60).fill(200))
    t.equal(apps[0]!.tokenCalls() - before, 1, 'one refresh for the 60 requests')
  })
}
