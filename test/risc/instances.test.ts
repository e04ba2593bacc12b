import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import { startApp, type TestApp } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { eventually } from '../fixtures/wait.js'
import { CLIENT_KINDS, pluginRedisStore, ready, redisStore, type ClientKind } from '../fixtures/redis.js'

/**
 * Two instances of one app sharing a @fastify/session store on a real Redis
 * (fastify-session-redis-store): a security event delivered to one acts for both, and a token
 * delivered to both is acted on once.
 */
const ADA = 'ada@example.com'
const ADA_SUB = '100000000000000000001'

async function twoInstances (t: Parameters<typeof startApp>[0]) {
  const shared = redisStore(t)
  await ready(shared.client)
  const other = redisStore(t, undefined, shared.prefix)
  await ready(other.client)
  const clock = testClock()
  const events: GoogleOAuthEvent[][] = [[], []]
  const plugin = (i: number) => ({ risc: true as const, bearer: true, accessType: 'offline' as const, store: i === 0 ? shared.store : other.store, onEvent: (event: GoogleOAuthEvent) => { events[i]!.push(event) } })
  // One Google for both (only the first instance's callback is registered with it: sign in there).
  const a = await startApp(t, { clock, plugin: plugin(0) })
  const b = await startApp(t, { clock, sharedGoogle: a.google, plugin: plugin(1) })
  const deliver = async (app: TestApp, token: string) => (await fetch(`${app.url}/oauth2/google/risc`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })).status
  const reports = (i: number) => events[i]!.filter((event) => event.type === 'security-event')
  return { a, b, clock, deliver, reports }
}

t.test('sessions-revoked delivered to A ends the user\'s session on B within the store\'s revocation trust', async (t) => {
  const { a, b, clock, deliver } = await twoInstances(t)
  const ada = await a.signInAs(ADA)
  const onB = async () => (await b.app.inject({ url: '/api/me', headers: { cookie: ada.cookie } })).statusCode
  t.equal(await onB(), 200, 'signed in on B too (one store)')
  t.equal(await deliver(a, a.google.securityEventToken({ type: 'sessions-revoked', account: ADA })), 202)
  t.equal((await a.app.inject({ url: '/api/me', headers: { cookie: ada.cookie } })).statusCode, 401, 'refused on A at once')
  // A @fastify/session store only has get/set: B reads a user's revocation again at most every 5 s.
  await clock.tick(5_001)
  t.equal(await onB(), 401, 'refused on B once it read the revocation again')
})

t.test('a token delivered to both instances is acted on once', async (t) => {
  const { a, b, deliver, reports } = await twoInstances(t)
  await a.signInAs(ADA)
  const token = a.google.securityEventToken({ type: 'sessions-revoked', account: ADA })
  t.equal(await deliver(a, token), 202)
  t.equal(await deliver(b, token), 202, 'B answers 202 too')
  t.equal(reports(0).length + reports(1).length, 1, 'one instance acted')
})

t.test('account-disabled delivered to A refuses sign-ins on B, until account-enabled delivered to B', async (t) => {
  const { a, b, deliver, reports } = await twoInstances(t)
  const bearer = (app: TestApp, jti: string) => app.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${app.google.idTokenFor(ADA, { claims: { jti } })}` } })
  t.equal(await deliver(a, a.google.securityEventToken({ type: 'account-disabled', account: ADA, reason: 'bulk-account' })), 202)
  const refused = await bearer(b, 'one')
  t.equal(refused.statusCode, 403, 'a new Bearer token is refused on B')
  t.equal(refused.json().code, 'FST_GOOGLE_OAUTH_ACCOUNT_DISABLED')
  await t.rejects(a.signInAs(ADA), /ACCOUNT_DISABLED/, 'and a redirect sign-in on A')
  t.equal(await deliver(b, b.google.securityEventToken({ type: 'account-enabled', account: ADA })), 202)
  t.equal((await bearer(a, 'two')).statusCode, 200, 'enabled on B: A admits her again')
  t.match(reports(1), [{ eventType: 'account-enabled', userId: ADA_SUB, actions: ['sign-in-unblocked'] }])
})

t.test('tokens-revoked: a store without an index by user cannot find the sessions; it says so, and Google refuses the tokens', async (t) => {
  const { a, deliver, reports } = await twoInstances(t)
  await a.signInAs(ADA)
  t.equal(await deliver(a, a.google.securityEventToken({ type: 'tokens-revoked', account: ADA })), 202)
  t.match(reports(0), [{ eventType: 'tokens-revoked', actions: ['none'], sessions: 0 }])
})

/** Two instances on the plugin's own Redis store (near caches on, 60 s: only invalidations can make them forget). */
async function onPluginStore (t: Parameters<typeof startApp>[0], kind: ClientKind) {
  const shared = pluginRedisStore(t, { client: kind, nearCache: { ttl: 60_000 } })
  const other = pluginRedisStore(t, { client: kind, prefix: shared.prefix, nearCache: { ttl: 60_000 } })
  const events: GoogleOAuthEvent[][] = [[], []]
  const plugin = (i: number) => ({ risc: true as const, bearer: true, accessType: 'offline' as const, store: i === 0 ? shared.store : other.store, onEvent: (event: GoogleOAuthEvent) => { events[i]!.push(event) } })
  await ready(shared.client)
  const routes = (app: FastifyInstance): void => { app.get('/api/tokens', { preHandler: [app.authenticate] }, async (request) => ({ tokens: request.googleTokens })) }
  const a = await startApp(t, { plugin: plugin(0), routes })
  const b = await startApp(t, { sharedGoogle: a.google, plugin: plugin(1), routes })
  // Both listening: a sign-out waits for the confirmation of every instance listed.
  await eventually(async () => (await shared.client.zrange(`${shared.prefix}instances`, 0, -1)).length === 2, 'both instances listed')
  const deliver = async (app: TestApp, token: string) => (await fetch(`${app.url}/oauth2/google/risc`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })).status
  const reports = (i: number) => events[i]!.filter((event) => event.type === 'security-event')
  return { a, b, deliver, reports }
}

for (const kind of CLIENT_KINDS) {
  t.test(`the plugin's Redis store (${kind}): sessions-revoked delivered to A ends the user's cookie session and Bearer token on B at once`, async (t) => {
    const { a, b, deliver } = await onPluginStore(t, kind)
    const ada = await a.signInAs(ADA)
    const token = `Bearer ${a.google.idTokenFor(ADA)}`
    const onB = async (headers: Record<string, string>) => (await b.app.inject({ url: '/api/me', headers })).statusCode
    t.same([await onB({ cookie: ada.cookie }), await onB({ authorization: token })], [200, 200], 'both credentials work on B (its near cache and its Bearer cache hold them)')
    t.equal(await deliver(a, a.google.securityEventToken({ type: 'sessions-revoked', account: ADA })), 202)
    t.same([await onB({ cookie: ada.cookie }), await onB({ authorization: token })], [401, 401], 'refused on B right after A\'s answer, no clock moved')
  })

  t.test(`the plugin's Redis store (${kind}): a redelivery to the other instance is acted on once; account-disabled holds on B until account-enabled`, async (t) => {
    const { a, b, deliver, reports } = await onPluginStore(t, kind)
    const token = a.google.securityEventToken({ type: 'account-disabled', account: ADA, reason: 'bulk-account' })
    t.same([await deliver(a, token), await deliver(b, token)], [202, 202])
    t.equal(reports(0).length + reports(1).length, 1, 'one instance acted')
    const bearer = (app: TestApp, jti: string) => app.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${app.google.idTokenFor(ADA, { claims: { jti } })}` } })
    t.equal((await bearer(b, 'one')).json().code, 'FST_GOOGLE_OAUTH_ACCOUNT_DISABLED', 'refused on B, where the event was not acted on')
    t.equal(await deliver(b, b.google.securityEventToken({ type: 'account-enabled', account: ADA })), 202)
    t.equal((await bearer(a, 'two')).statusCode, 200, 'enabled on B: A admits her again')
  })

  t.test(`the plugin's Redis store (${kind}): tokens-revoked drops the user's Google tokens in every session; she stays signed in`, async (t) => {
    const { a, b, deliver, reports } = await onPluginStore(t, kind)
    const ada = await a.signInAs(ADA)
    const grace = await a.signInAs('grace@example.com')
    const tokensOn = async (app: TestApp, cookie: string) => ((await app.app.inject({ url: '/api/tokens', headers: { cookie } })).json() as { tokens: unknown }).tokens
    t.not(await tokensOn(b, ada.cookie), null, 'B holds her tokens (near cache)')
    t.equal(await deliver(a, a.google.securityEventToken({ type: 'tokens-revoked', account: ADA })), 202)
    t.match(reports(0), [{ eventType: 'tokens-revoked', sessions: 1 }])
    t.equal(await tokensOn(b, ada.cookie), null, 'B: no Google tokens any more')
    t.equal((await b.app.inject({ url: '/api/me', headers: { cookie: ada.cookie } })).statusCode, 200, 'still signed in')
    t.not(await tokensOn(b, grace.cookie), null, 'another user keeps hers')
  })
}
