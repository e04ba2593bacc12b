import { createHash, randomBytes } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import t from 'tap'
import type { SessionRecord } from '../../src/session/record.js'
import { SESSION_SECRET } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'
import { ADA_SUB, signIn, startInstances } from '../fixtures/instances.js'
import { latencyProxy } from '../fixtures/latency-proxy.js'
import { privateRedis, SHARED_REDIS_PORT } from '../fixtures/redis.js'
import { eventually } from '../fixtures/wait.js'

/**
 * Three processes of one app sharing the plugin's Redis store, as a deployment behind a load
 * balancer runs it: what one instance does (sign out, refresh tokens) holds on the others.
 */
const signOut = (url: string, cookie: string) => send(`${url}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })

t.test('a session works on every instance; a sign-out on one is refused on the others', async (t) => {
  const cluster = await startInstances(t)
  const { cookie } = await signIn(cluster)
  for (const url of cluster.urls) t.equal((await send(`${url}/api/me`, { headers: { cookie } })).status, 200, `served by ${url}`)
  t.equal((await signOut(cluster.urls[1]!, cookie)).status, 204)
  for (const url of cluster.urls) {
    await eventually(async () => (await send(`${url}/api/me`, { headers: { cookie } })).status !== 200, `${url} to refuse the session`)
    t.equal((await send(`${url}/api/me`, { headers: { cookie } })).status, 401, `${url} refuses it`)
  }
})

t.test('three instances, twenty concurrent requests each, an expired access token: one call to Google', async (t) => {
  const cluster = await startInstances(t)
  const { cookie, id } = await signIn(cluster)
  const record = JSON.parse((await cluster.redis.hget(cluster.key(id), 'r'))!) as SessionRecord
  await cluster.redis.hset(cluster.key(id), 'r', JSON.stringify({ ...record, googleTokens: { ...record.googleTokens, expiresAt: Date.now() - 1000 } }))
  const tokenCalls = () => cluster.google.requests.filter((request) => request.endpoint === 'token').length
  const before = tokenCalls()
  const answers = await Promise.all(cluster.urls.flatMap((url) => Array.from({ length: 20 }, () => send(`${url}/api/google-profile`, { headers: { cookie } }))))
  t.same(answers.map((answer) => answer.status), Array(60).fill(200))
  t.equal(tokenCalls() - before, 1, 'one token refresh for 60 requests on 3 instances')
})

t.test('300 rounds of sign-out on B racing activity writes and token refreshes on A, with 1 ms of added Redis latency: zero revivals', async (t) => {
  const proxyPort = await latencyProxy(t, SHARED_REDIS_PORT, 1)
  const cluster = await startInstances(t, { redisPort: proxyPort, count: 2 })
  const { id: firstId } = await signIn(cluster)
  const template = JSON.parse((await cluster.redis.hget(cluster.key(firstId), 'r'))!) as SessionRecord
  const signer = new Signer([SESSION_SECRET], 'sha256')
  const tag = createHash('sha256').update(ADA_SUB).digest('base64url').slice(0, 8)
  const [a, b] = cluster.urls as [string, string]

  let revived = 0
  let answeredOnA = 0
  for (let round = 0; round < 300; round++) {
    const refresh = round % 2 === 1
    const id = tag + randomBytes(32).toString('base64url')
    const now = Date.now()
    const record: SessionRecord = {
      ...template,
      googleTokens: refresh ? { ...template.googleTokens!, expiresAt: now - 1000 } : template.googleTokens,
      googleSignedInAt: now,
      googleSeenAt: refresh ? now : now - 6 * 60_000
    }
    await cluster.redis.hset(cluster.key(id), 'r', JSON.stringify(record), 'v', '1')
    await cluster.redis.pexpire(cluster.key(id), 600_000)
    const cookie = `goauth.sid=${signer.sign(id)}`
    const onA = send(`${a}${refresh ? '/api/google-profile' : '/api/me'}`, { headers: { cookie } })
    // Vary who goes first: B's sign-out leaves after 0 to 3 turns of the event loop.
    for (let turn = 0; turn < round % 4; turn++) await new Promise((resolve) => setImmediate(resolve))
    const status = (await signOut(b, cookie)).status
    if (status !== 204) throw new Error(`sign-out answered ${status}`)
    if ((await onA).status === 200) answeredOnA++
    if (await cluster.redis.exists(cluster.key(id)) === 1) revived++
  }
  t.ok(answeredOnA > 0, `A served ${answeredOnA} of the racing requests (the races happened)`)
  t.equal(revived, 0, 'no session came back')
})

t.test('Redis down and back: 503 on every instance, public routes up, the sessions still there after a restart', async (t) => {
  const redisServer = await privateRedis(t)
  const cluster = await startInstances(t, { redisPort: redisServer.port })
  const { cookie } = await signIn(cluster)
  await redisServer.stop()
  for (const url of cluster.urls) {
    t.equal((await send(`${url}/api/me`, { headers: { cookie } })).status, 503, `${url}: 503, not a sign-in prompt`)
    t.equal((await send(`${url}/`)).status, 200, `${url}: public routes keep working`)
  }
  await redisServer.start()
  for (const url of cluster.urls) {
    await eventually(async () => (await send(`${url}/api/me`, { headers: { cookie } })).status !== 503, `${url} to reach Redis again`)
    t.equal((await send(`${url}/api/me`, { headers: { cookie } })).status, 200, `${url}: the session survived the restart (append-only file)`)
  }
})
