import { randomBytes } from 'node:crypto'
import { Signer } from '@fastify/cookie'
import type { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import type { SessionRecord } from '../../src/session/record.js'
import type { GoogleTokens } from '../../src/types.js'
import { SESSION_SECRET, startApp, type TestApp } from '../fixtures/app.js'
import type { Browser } from '../fixtures/browser.js'
import { GatedStore } from '../fixtures/gated-store.js'
import { send } from '../fixtures/http-request.js'
import { ready, redisStore } from '../fixtures/redis.js'

/**
 * Sign-out is final across instances (security checklist row 34): instance A reads a session, instance B
 * signs it out, and whatever A writes afterwards (recorded activity, refreshed tokens) must not
 * bring it back. A and B share one Redis; their stores are gated so that the test sets the order.
 */
interface Instances {
  a: TestApp
  b: TestApp
  /** A's store. */
  gated: GatedStore
  /** B's store. */
  gatedB: GatedStore
  redis: Redis
  prefix: string
}

async function twoInstances (t: Test): Promise<Instances> {
  const prefix = `fastify-google-oauth-test:${randomBytes(6).toString('hex')}:`
  const forA = redisStore(t, undefined, prefix)
  const forB = redisStore(t, undefined, prefix)
  await ready(forA.client)
  await ready(forB.client)
  const gated = new GatedStore(forA.store)
  const gatedB = new GatedStore(forB.store)
  // prompt: 'consent': every sign-in gets a refresh token.
  const a = await startApp(t, { plugin: { store: gated, accessType: 'offline', prompt: 'consent' } })
  const b = await startApp(t, { plugin: { store: gatedB } })
  return { a, b, gated, gatedB, redis: forA.client, prefix }
}

const idOf = (browser: Browser, app: TestApp): string => browser.cookiesFor(app.url)['goauth.sid']!.split('.')[0]!

/** Changes a stored session in place (keeping its TTL), as time passing would. */
async function rewrite ({ redis, prefix }: Instances, id: string, change: (record: SessionRecord) => SessionRecord): Promise<void> {
  const record = JSON.parse((await redis.get(prefix + id))!) as SessionRecord
  await redis.set(prefix + id, JSON.stringify(change(record)), 'KEEPTTL')
}

/** Six minutes without recorded activity: the next request records it (one write). */
const activityDue = (record: SessionRecord): SessionRecord => ({ ...record, googleSeenAt: record.googleSeenAt - 6 * 60_000 })

async function signOutOnB (instances: Instances, cookie: string): Promise<number> {
  const response = await send(`${instances.b.url}/logout`, {
    method: 'POST',
    headers: { cookie, origin: instances.b.url, 'sec-fetch-site': 'same-origin', accept: 'application/json' }
  })
  return response.status
}

/** Two instances, and a session signed in on A: its id and the Cookie header that carries it. */
async function signedInOnA (t: Test): Promise<{ instances: Instances, id: string, cookie: string }> {
  const instances = await twoInstances(t)
  const browser = instances.a.browser()
  await instances.a.signIn(browser)
  const id = idOf(browser, instances.a)
  return { instances, id, cookie: `goauth.sid=${browser.cookiesFor(instances.a.url)['goauth.sid']}` }
}

async function expectGone (t: Test, instances: Instances, id: string, cookie: string): Promise<void> {
  t.equal(await instances.redis.exists(instances.prefix + id), 0, 'the session is not back in Redis')
  t.equal((await send(`${instances.a.url}/api/me`, { headers: { cookie } })).status, 401, 'A refuses the old cookie')
  t.equal((await send(`${instances.b.url}/api/me`, { headers: { cookie } })).status, 401, 'B refuses it too')
}

t.test('activity recorded on A from a read made before B\'s sign-out is not written back', async (t) => {
  const { instances, id, cookie } = await signedInOnA(t)
  await rewrite(instances, id, activityDue)

  const written = instances.gated.writes.length
  const read = instances.gated.hold('get', id)
  const onA = send(`${instances.a.url}/api/me`, { headers: { cookie } })
  await read.reached
  t.equal(await signOutOnB(instances, cookie), 204, 'B signs the session out while A holds what it read')
  read.release()
  t.equal((await onA).status, 200, 'A answers the request it had already authenticated')
  t.notOk(instances.gated.writes.slice(written).includes(id), 'A found the tombstone before writing: it did not write at all')
  await expectGone(t, instances, id, cookie)
})

t.test('activity written by A just after B\'s sign-out is undone at once', async (t) => {
  const { instances, id, cookie } = await signedInOnA(t)
  await rewrite(instances, id, activityDue)

  const write = instances.gated.hold('set', id)
  const onA = send(`${instances.a.url}/api/me`, { headers: { cookie } })
  await write.reached
  t.equal(await signOutOnB(instances, cookie), 204)
  write.release() // the write lands after the sign-out...
  t.equal((await onA).status, 200)
  await expectGone(t, instances, id, cookie) // ...and A's own check after writing removes it again
})

t.test('activity written by A while B\'s sign-out is under way (its tombstone not yet written) does not outlive the sign-out', async (t) => {
  const { instances, id, cookie } = await signedInOnA(t)
  await rewrite(instances, id, activityDue)

  const write = instances.gated.hold('set', id)
  const onA = send(`${instances.a.url}/api/me`, { headers: { cookie } })
  await write.reached
  // B's sign-out is held where it writes the tombstone (one that removed the record before would leave a hole here).
  const tombstone = instances.gatedB.hold('set', `${id}.ended`)
  const onB = signOutOnB(instances, cookie)
  await tombstone.reached
  write.release()
  t.equal((await onA).status, 200, 'A\'s write lands, and A answers')
  tombstone.release()
  t.equal(await onB, 204)
  await expectGone(t, instances, id, cookie)
})

for (const held of ['read', 'write'] as const) {
  t.test(`a token refresh on A whose ${held} straddles B's sign-out does not revive the session`, async (t) => {
    const { instances, id, cookie } = await signedInOnA(t)

    // The refresh's save reads the session again (the request's own load is let through), then writes it.
    const gate = held === 'read' ? instances.gated.hold('get', id, { skip: 1 }) : instances.gated.hold('set', id)
    const onA = send(`${instances.a.url}/api/google-profile?expire=1`, { headers: { cookie } })
    await gate.reached
    t.equal(await signOutOnB(instances, cookie), 204)
    gate.release()
    t.equal((await onA).status, 200, 'the call that refreshed still gets its answer')
    await expectGone(t, instances, id, cookie)
  })
}

// The tests above set each order by gates; these rounds leave it to chance, as a cross-check.
const ROUNDS = 50

t.test(`${ROUNDS} rounds of sign-out on B racing activity writes and token refreshes on A, with 1 ms of added read latency: zero revivals`, async (t) => {
  const instances = await twoInstances(t)
  instances.gated.latency = 1
  // One real sign-in gives a refresh token that the fake Google accepts for every round.
  const browser = instances.a.browser()
  await instances.a.signIn(browser)
  const template = JSON.parse((await instances.redis.get(instances.prefix + idOf(browser, instances.a)))!) as SessionRecord
  const signer = new Signer([SESSION_SECRET], 'sha256')

  let revived = 0
  let answeredOnA = 0
  for (let round = 0; round < ROUNDS; round++) {
    const refresh = round % 2 === 1
    const id = randomBytes(24).toString('base64url')
    const now = Date.now()
    const tokens: GoogleTokens = refresh ? { ...template.googleTokens!, expiresAt: now - 1000 } : template.googleTokens!
    const record: SessionRecord = { ...template, googleTokens: tokens, googleSignedInAt: now, googleSeenAt: refresh ? now : now - 6 * 60_000 }
    await instances.redis.set(instances.prefix + id, JSON.stringify(record), 'EX', 600)
    const cookie = `goauth.sid=${signer.sign(id)}`
    const onA = send(`${instances.a.url}${refresh ? '/api/google-profile' : '/api/me'}`, { headers: { cookie } })
    // Vary who goes first: B's sign-out leaves after 0 to 3 turns of the event loop.
    for (let turn = 0; turn < round % 4; turn++) await new Promise((resolve) => setImmediate(resolve))
    const status = await signOutOnB(instances, cookie)
    if (status !== 204) throw new Error(`sign-out answered ${status}`)
    if ((await onA).status === 200) answeredOnA++
    if (await instances.redis.exists(instances.prefix + id) === 1) revived++
  }
  t.ok(answeredOnA > 0, `A served ${answeredOnA} of the racing requests (the races happened)`)
  t.equal(revived, 0, 'no session came back')
})
