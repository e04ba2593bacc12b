import { createHash, randomBytes } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import t from 'tap'
import type { SessionRecord } from '../../src/session/record.js'
import { SESSION_SECRET } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'
import type { Held } from '../fixtures/gated-store.js'
import { httpGate } from '../fixtures/http-gate.js'
import { ADA_SUB, signIn, startInstances, type Cluster } from '../fixtures/instances.js'
import { privateRedis, SHARED_REDIS_PORT } from '../fixtures/redis.js'
import { redisLink } from '../fixtures/redis-link.js'
import { withStoredTokens } from '../fixtures/sealed-tokens.js'
import { eventually } from '../fixtures/wait.js'

/**
 * Three processes of one app sharing the plugin's Redis store, as a deployment behind a load
 * balancer runs it: what one instance does (sign out, refresh tokens) holds on the others.
 */
const signOut = (url: string, cookie: string) => send(`${url}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
const me = (url: string, cookie: string) => send(`${url}/api/me`, { headers: { cookie } })

/**
 * The three instances of the first tests. A reaches Redis and Google's token endpoint through
 * gates the tests can close, to set the order of A's steps and the others'.
 */
async function setUp () {
  const redis = await redisLink(t, SHARED_REDIS_PORT)
  const token = await httpGate(t)
  const cluster = await startInstances(t, { redisPort: [redis.port], endpoints: [{ token: token.url }] })
  token.target = cluster.google.endpoints.token
  // A session from a real sign-in (with a refresh token), the template of those the tests plant.
  const template = JSON.parse((await cluster.redis.hget(cluster.key((await signIn(cluster)).id), 'r'))!) as SessionRecord
  return { cluster, template, gates: { redis, token } }
}
const instances = setUp()

t.test('a session works on every instance; a sign-out on one is refused on the others at once', async (t) => {
  const { cluster } = await instances
  const { cookie } = await signIn(cluster)
  for (const url of cluster.urls) t.equal((await me(url, cookie)).status, 200, `served by ${url}`)
  t.equal((await signOut(cluster.urls[1]!, cookie)).status, 204)
  for (const url of cluster.urls) t.equal((await me(url, cookie)).status, 401, `${url} refuses it`)
})

t.test('three instances, twenty concurrent requests each, an expired access token: one call to Google', async (t) => {
  const { cluster } = await instances
  const { cookie, id } = await signIn(cluster)
  const record = JSON.parse((await cluster.redis.hget(cluster.key(id), 'r'))!) as SessionRecord
  await cluster.redis.hset(cluster.key(id), 'r', JSON.stringify(withStoredTokens(record, (tokens) => ({ ...tokens, expiresAt: Date.now() - 1000 }))))
  const tokenCalls = () => cluster.google.requests.filter((request) => request.endpoint === 'token').length
  const before = tokenCalls()
  const answers = await Promise.all(cluster.urls.flatMap((url) => Array.from({ length: 20 }, () => send(`${url}/api/google-profile`, { headers: { cookie } }))))
  t.same(answers.map((answer) => answer.status), Array(60).fill(200))
  t.equal(tokenCalls() - before, 1, 'one token refresh for 60 requests on 3 instances')
})

/** A session of Ada written straight into Redis, as `change` makes it from a sign-in's; its id and cookie. */
async function plantSession (cluster: Cluster, template: SessionRecord, change: (record: SessionRecord, now: number) => SessionRecord): Promise<{ id: string, cookie: string }> {
  const id = createHash('sha256').update(ADA_SUB).digest('base64url').slice(0, 8) + randomBytes(32).toString('base64url')
  await cluster.redis.multi().hset(cluster.key(id), 'r', JSON.stringify(change(template, Date.now())), 'v', '1').pexpire(cluster.key(id), 600_000).exec()
  return { id, cookie: `goauth.sid=${new Signer([SESSION_SECRET], 'sha256').sign(id)}` }
}

type Gates = Awaited<typeof instances>['gates']

// A reads the session before B signs it out; what A writes from that read reaches Redis after.
const races: Array<{ name: string, change: (record: SessionRecord, now: number) => SessionRecord, path: string, hold: (gates: Gates, key: string) => Held }> = [
  {
    name: 'activity recorded by A',
    // Six minutes without recorded activity: A's next request records it.
    change: (record, now) => ({ ...record, googleSignedInAt: now, googleSeenAt: now - 6 * 60_000 }),
    path: '/api/me',
    // The answer to A's read of the session.
    hold: (gates, key) => gates.redis.holdAnswersAfter(key)
  },
  {
    name: 'tokens refreshed by A',
    change: (record, now) => ({ ...withStoredTokens(record, (tokens) => ({ ...tokens, expiresAt: now - 1000 })), googleSignedInAt: now, googleSeenAt: now }),
    path: '/api/google-profile',
    // The answer to the read A makes, once Google answered its refresh, to write the new tokens.
    hold: (gates, key) => {
      const atGoogle = gates.token.hold()
      const read = atGoogle.reached.then(() => {
        const held = gates.redis.holdAnswersAfter(key)
        atGoogle.release()
        return held
      })
      return { reached: read.then((held) => held.reached), release: () => { void read.then((held) => held.release()) } }
    }
  }
]

for (const race of races) {
  t.test(`${race.name}, written after B's sign-out, does not bring the session back`, async (t) => {
    const { cluster, template, gates } = await instances
    const [a, b] = cluster.urls as [string, string]
    const { id, cookie } = await plantSession(cluster, template, race.change)
    const gate = race.hold(gates, cluster.key(id))
    const onA = send(`${a}${race.path}`, { headers: { cookie } })
    await gate.reached
    t.equal((await signOut(b, cookie)).status, 204, 'B signs the session out while A holds what it read')
    gate.release()
    t.equal((await onA).status, 200, 'A answers the request it had authenticated before the sign-out')
    t.equal(await cluster.redis.exists(cluster.key(id)), 0, 'the session is not back in Redis')
    for (const url of [a, b]) t.equal((await me(url, cookie)).status, 401, `${url} refuses the old cookie`)
  })
}

t.test('Redis down and back: 503 on every instance, public routes up, the sessions still there after a restart', async (t) => {
  const redisServer = await privateRedis(t)
  const cluster = await startInstances(t, { redisPort: redisServer.port, count: 2 })
  const { cookie } = await signIn(cluster)
  await redisServer.stop()
  for (const url of cluster.urls) {
    t.equal((await me(url, cookie)).status, 503, `${url}: 503, not a sign-in prompt`)
    t.equal((await send(`${url}/`)).status, 200, `${url}: public routes keep working`)
  }
  await redisServer.start()
  for (const url of cluster.urls) {
    await eventually(async () => (await me(url, cookie)).status !== 503, `${url} to reach Redis again`)
    t.equal((await me(url, cookie)).status, 200, `${url}: the session survived the restart (append-only file)`)
  }
})
