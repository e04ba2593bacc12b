import { createHash, randomBytes } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import t from 'tap'
import type { SessionRecord } from '../../src/session/record.js'
import { SESSION_SECRET } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'
import { signIn, startInstances, type Cluster } from '../fixtures/instances.js'
import { SHARED_REDIS_PORT } from '../fixtures/redis.js'
import { redisLink } from '../fixtures/redis-link.js'
import type { StoredRecord } from '../../src/session/sealed-tokens.js'
import { openStoredTokens, sealedFor } from '../fixtures/sealed-tokens.js'

/**
 * Sign-out is linearizable across instances sharing the plugin's Redis store, near caches on: a
 * request sent after a sign-out's answer is refused by every other instance, whatever it cached
 * (security checklist rows 39 and 40). Two processes: A signs out, B is asked right after the
 * answer. B hears of every published message late (its subscription's connection is slow), well
 * after the test's next request reaches it: only the sign-out's wait for B's confirmation makes B
 * refuse that request, in every round (without the wait, nearly every round finds B's copy served).
 */
const ROUNDS = 20
/** How late B hears of a message (ms). */
const MESSAGE_DELAY_MS = 30
const signer = new Signer([SESSION_SECRET], 'sha256')
const tagOf = (userId: string): string => createHash('sha256').update(userId).digest('base64url').slice(0, 8)

/** A session of `userId` written straight into Redis (and its user's index), as a sign-in leaves it; its cookie. */
async function plantSession (cluster: Cluster, template: SessionRecord, userId: string): Promise<string> {
  const id = tagOf(userId) + randomBytes(32).toString('base64url')
  const now = Date.now()
  // Its tokens sealed for its own user (sealed tokens are bound to the user they belong to).
  const record: StoredRecord = { ...template, googleUser: { ...template.googleUser, id: userId }, googleTokens: sealedFor(openStoredTokens(template), userId), googleSignedInAt: now, googleSeenAt: now }
  await cluster.redis.multi()
    .hset(cluster.key(id), 'r', JSON.stringify(record), 'v', '1')
    .pexpire(cluster.key(id), 600_000)
    .zadd(`${cluster.prefix}{${tagOf(userId)}}:u:${userId}`, now + 600_000, id)
    .exec()
  return `goauth.sid=${signer.sign(id)}`
}

const me = (url: string, headers: Record<string, string>) => send(`${url}/api/me`, { headers: { accept: 'application/json', ...headers } })

/** A on Redis directly, B through the link that delays messages; Ada's session (from a real sign-in) as the template of the planted ones. */
async function setUp (): Promise<{ cluster: Cluster, a: string, b: string, template: SessionRecord }> {
  const link = await redisLink(t, SHARED_REDIS_PORT, { messageDelayMs: MESSAGE_DELAY_MS })
  const cluster = await startInstances(t, { count: 2, redisPort: [SHARED_REDIS_PORT, link.port] })
  const first = await signIn(cluster)
  const template = JSON.parse((await cluster.redis.hget(cluster.key(first.id), 'r'))!) as SessionRecord
  const [a, b] = cluster.urls as [string, string]
  return { cluster, a, b, template }
}
const instances = setUp()

t.test(`${ROUNDS} sign-outs on A, B asked right after each answer: never a stale 200`, async (t) => {
  const { cluster, a, b, template } = await instances
  let stale = 0
  for (let round = 0; round < ROUNDS; round++) {
    const cookie = await plantSession(cluster, template, template.googleUser.id)
    // B has the session in its near cache.
    if ((await me(b, { cookie })).status !== 200) throw new Error(`round ${round}: the session was not served before its sign-out`)
    const out = await send(`${a}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
    if (out.status !== 204) throw new Error(`round ${round}: sign-out answered ${out.status}`)
    if ((await me(b, { cookie })).status !== 401) stale++
  }
  t.equal(stale, 0, `0 stale answers in ${ROUNDS} sign-outs`)
})

t.test(`${ROUNDS} signOutEverywhere calls on A: the user's cookie session and Bearer token, both cached by B, refused right after`, async (t) => {
  const { cluster, a, b, template } = await instances
  let staleSessions = 0
  let staleTokens = 0
  let ended = 0
  for (let round = 0; round < ROUNDS; round++) {
    // A user of its own each round: a token issued in the second of an earlier revocation would be refused anyway.
    const userId = `2000000000000${String(round).padStart(8, '0')}`
    const cookie = await plantSession(cluster, template, userId)
    const token = { authorization: `Bearer ${cluster.google.idTokenFor('ada@example.com', { claims: { sub: userId } })}` }
    if ((await me(b, { cookie })).status !== 200 || (await me(b, token)).status !== 200) throw new Error(`round ${round}: not served before the sign-out`)
    const out = await send(`${a}/admin/sign-out-everywhere/${userId}`, { method: 'POST' })
    if (out.status !== 200) throw new Error(`round ${round}: signOutEverywhere answered ${out.status}`)
    ended += (await out.json() as { ended: number }).ended
    // Both at once: each reaches B before B could have heard of the revocation.
    const [session, bearer] = await Promise.all([me(b, { cookie }), me(b, token)])
    if (session.status !== 401) staleSessions++
    if (bearer.status !== 401) staleTokens++
  }
  t.equal(ended, ROUNDS, 'each call ended the user\'s session')
  t.equal(staleSessions, 0, `0 stale cookie sessions in ${ROUNDS} calls`)
  t.equal(staleTokens, 0, `0 stale Bearer tokens in ${ROUNDS} calls`)
})
