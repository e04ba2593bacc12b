import { createHash, randomBytes } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import t from 'tap'
import type { SessionRecord } from '../../src/session/record.js'
import { SESSION_SECRET } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'
import { signIn, startInstances, type Cluster } from '../fixtures/instances.js'

/**
 * Sign-out is linearizable across instances sharing the plugin's Redis store, near caches on: a
 * request sent after a sign-out's answer is refused by every other instance, whatever it cached
 * (security checklist rows 39 and 40). Two processes; each round asks the other instance right
 * after the answer.
 */
const ROUNDS = 1000
const signer = new Signer([SESSION_SECRET], 'sha256')
const tagOf = (userId: string): string => createHash('sha256').update(userId).digest('base64url').slice(0, 8)

/** A session of `userId` written straight into Redis (and its user's index), as a sign-in leaves it; its cookie. */
async function plantSession (cluster: Cluster, template: SessionRecord, userId: string): Promise<string> {
  const id = tagOf(userId) + randomBytes(32).toString('base64url')
  const now = Date.now()
  const record: SessionRecord = { ...template, googleUser: { ...template.googleUser, id: userId }, googleSignedInAt: now, googleSeenAt: now }
  await cluster.redis.multi()
    .hset(cluster.key(id), 'r', JSON.stringify(record), 'v', '1')
    .pexpire(cluster.key(id), 600_000)
    .zadd(`${cluster.prefix}{${tagOf(userId)}}:u:${userId}`, now + 600_000, id)
    .exec()
  return `goauth.sid=${signer.sign(id)}`
}

const me = (url: string, headers: Record<string, string>) => send(`${url}/api/me`, { headers: { accept: 'application/json', ...headers } })

t.test(`${ROUNDS} sign-outs, each on one instance, the other asked right after the answer: never a stale 200`, async (t) => {
  const cluster = await startInstances(t, { count: 2 })
  const first = await signIn(cluster)
  const template = JSON.parse((await cluster.redis.hget(cluster.key(first.id), 'r'))!) as SessionRecord
  let stale = 0
  for (let round = 0; round < ROUNDS; round++) {
    const [ending, other] = round % 2 === 0 ? cluster.urls as [string, string] : [cluster.urls[1]!, cluster.urls[0]!]
    const cookie = await plantSession(cluster, template, template.googleUser.id)
    // The other instance has the session in its near cache.
    if ((await me(other, { cookie })).status !== 200) throw new Error(`round ${round}: the session was not served before its sign-out`)
    const out = await send(`${ending}/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
    if (out.status !== 204) throw new Error(`round ${round}: sign-out answered ${out.status}`)
    if ((await me(other, { cookie })).status !== 401) stale++
  }
  t.equal(stale, 0, `0 stale answers in ${ROUNDS} sign-outs`)
})

t.test(`${ROUNDS} signOutEverywhere calls: the user's cookie session and Bearer token, both cached by the other instance, refused right after`, async (t) => {
  const cluster = await startInstances(t, { count: 2 })
  const first = await signIn(cluster)
  const template = JSON.parse((await cluster.redis.hget(cluster.key(first.id), 'r'))!) as SessionRecord
  let staleSessions = 0
  let staleTokens = 0
  let ended = 0
  for (let round = 0; round < ROUNDS; round++) {
    const [ending, other] = round % 2 === 0 ? cluster.urls as [string, string] : [cluster.urls[1]!, cluster.urls[0]!]
    // A user of its own each round: a token issued in the second of an earlier revocation would be refused anyway.
    const userId = `2000000000000${String(round).padStart(8, '0')}`
    const cookie = await plantSession(cluster, template, userId)
    const token = { authorization: `Bearer ${cluster.google.idTokenFor('ada@example.com', { claims: { sub: userId } })}` }
    if ((await me(other, { cookie })).status !== 200 || (await me(other, token)).status !== 200) throw new Error(`round ${round}: not served before the sign-out`)
    const out = await send(`${ending}/admin/sign-out-everywhere/${userId}`, { method: 'POST' })
    if (out.status !== 200) throw new Error(`round ${round}: signOutEverywhere answered ${out.status}`)
    ended += (await out.json() as { ended: number }).ended
    if ((await me(other, { cookie })).status !== 401) staleSessions++
    if ((await me(other, token)).status !== 401) staleTokens++
  }
  t.equal(ended, ROUNDS, 'each call ended the user\'s session')
  t.equal(staleSessions, 0, `0 stale cookie sessions in ${ROUNDS} calls`)
  t.equal(staleTokens, 0, `0 stale Bearer tokens in ${ROUNDS} calls`)
})
