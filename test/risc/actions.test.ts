import t from 'tap'
import type { GoogleOAuthEvent, GoogleOAuthOptions, SecurityEvent } from '../../src/index.js'
import type { FakeSecurityEvent } from '../../src/testing/index.js'
import { startApp, type TestApp } from '../fixtures/app.js'

/**
 * What the plugin does, by default, with each security event Google pushes (Cross-Account
 * Protection), the fake Google delivering real signed tokens over HTTP; and how `onSecurityEvent`
 * changes it.
 */
const ADA = 'ada@example.com'
const ADA_SUB = '100000000000000000001'
const GRACE = 'grace@example.com'
const CALENDAR = 'https://www.googleapis.com/auth/calendar.readonly'

interface RiscApp extends TestApp {
  events: GoogleOAuthEvent[]
  send (event: FakeSecurityEvent): Promise<number>
  status (cookie: string, path?: string): Promise<number>
  reports (): Array<Extract<GoogleOAuthEvent, { type: 'security-event' }>>
}

async function riscApp (t: Parameters<typeof startApp>[0], plugin: Partial<GoogleOAuthOptions> = {}): Promise<RiscApp> {
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, {
    plugin: { risc: true, accessType: 'offline', prompt: 'consent', bearer: true, oneTap: true, onEvent: (event) => { events.push(event) }, ...plugin },
    routes: (fastify) => {
      fastify.get('/calendar', { preHandler: [fastify.googleOAuth.requireScopes([CALENDAR])] }, async () => ({ ok: true }))
      fastify.get('/scopes', { preHandler: [fastify.authenticate] }, async (request) => ({ scopes: fastify.googleOAuth.grantedScopes(request) }))
    }
  })
  const receiver = `${app.url}/oauth2/google/risc`
  return {
    ...app,
    events,
    send: async (event) => (await app.google.sendSecurityEvent(event, { to: receiver })).status,
    status: async (cookie, path = '/api/me') => (await fetch(`${app.url}${path}`, { headers: { cookie, accept: 'application/json' } })).status,
    reports: () => events.filter((event): event is Extract<GoogleOAuthEvent, { type: 'security-event' }> => event.type === 'security-event')
  }
}

t.test('sessions-revoked signs the user out everywhere: sessions and Bearer tokens; other users stay', async (t) => {
  const app = await riscApp(t)
  const ada = await app.signInAs(ADA)
  const grace = await app.signInAs(GRACE)
  const token = app.google.idTokenFor(ADA)
  t.equal((await app.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 200, 'the Bearer token works before')
  t.equal(await app.send({ type: 'sessions-revoked', account: ADA }), 202)
  t.equal(await app.status(ada.cookie), 401, 'Ada\'s session ended')
  t.equal((await app.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'her Bearer token too')
  t.equal(await app.status(grace.cookie), 200, 'Grace is still signed in')
  t.match(app.reports(), [{ eventType: 'sessions-revoked', userId: ADA_SUB, actions: ['signed-out-everywhere'], sessions: 1 }])
  t.match(app.events.filter((event) => event.type === 'sign-out'), [{ everywhere: true, userId: ADA_SUB }], 'reported as a sign-out everywhere too')
})

t.test('account-disabled for hijacking signs out everywhere and blocks sign-in until account-enabled', async (t) => {
  const app = await riscApp(t)
  const ada = await app.signInAs(ADA)
  t.equal(await app.send({ type: 'account-disabled', account: ADA, reason: 'hijacking' }), 202)
  t.equal(await app.status(ada.cookie), 401, 'signed out')
  t.match(app.reports(), [{ eventType: 'account-disabled', reason: 'hijacking', actions: ['sign-in-blocked', 'signed-out-everywhere'], sessions: 1 }])
  await t.rejects(app.signInAs(ADA), /403 FST_GOOGLE_OAUTH_ACCOUNT_DISABLED/, 'a new sign-in is refused')
  t.equal(await app.send({ type: 'account-enabled', account: ADA }), 202)
  const again = await app.signInAs(ADA)
  t.equal(await app.status(again.cookie), 200, 'enabled again: she signs in')
})

t.test('account-disabled for another reason keeps sessions, and refuses new sign-ins by every way until account-enabled', async (t) => {
  const app = await riscApp(t)
  const ada = await app.signInAs(ADA)
  t.equal(await app.send({ type: 'account-disabled', account: ADA, reason: 'bulk-account' }), 202)
  t.equal(await app.status(ada.cookie), 200, 'her session stays (only hijacking ends sessions)')
  t.match(app.reports(), [{ eventType: 'account-disabled', reason: 'bulk-account', actions: ['sign-in-blocked'], sessions: 0 }])
  await t.rejects(app.signInAs(ADA), /403 FST_GOOGLE_OAUTH_ACCOUNT_DISABLED/, 'redirect sign-in refused')
  await t.rejects(app.signInAs(ADA, { via: 'one-tap' }), /403 FST_GOOGLE_OAUTH_ACCOUNT_DISABLED/, 'One Tap refused')
  const bearer = await app.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${app.google.idTokenFor(ADA)}` } })
  t.equal(bearer.statusCode, 403, 'a new Bearer token refused')
  t.equal(bearer.json().code, 'FST_GOOGLE_OAUTH_ACCOUNT_DISABLED')
  t.ok(app.events.some((event) => event.type === 'sign-in-refused' && event.reason === 'account-disabled'), 'refusals reported')
  await app.signInAs(GRACE)
  t.equal(await app.send({ type: 'account-enabled', account: ADA }), 202)
  t.match(app.reports().at(-1), { eventType: 'account-enabled', actions: ['sign-in-unblocked'] })
  await app.signInAs(ADA)
  t.equal((await app.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${app.google.idTokenFor(ADA, { claims: { jti: 'new-token' } })}` } })).statusCode, 200, 'a new Bearer token works again')
})

t.test('account-disabled shows its code on the sign-in error page', async (t) => {
  const app = await riscApp(t)
  await app.send({ type: 'account-disabled', account: ADA, reason: 'bulk-account' })
  const browser = app.browser()
  const result = await browser.navigate(`${app.url}/oauth2/google?returnTo=%2Fprofile`)
  t.equal(result.response.status, 403)
  t.match(result.body, 'FST_GOOGLE_OAUTH_ACCOUNT_DISABLED')
  t.match(result.body, 'disabled for sign-in here')
})

t.test('tokens-revoked drops the user\'s Google tokens: still signed in, no Google access, scopes asked for again', async (t) => {
  const app = await riscApp(t)
  const ada = await app.signInAs(ADA, { scopes: [CALENDAR] })
  const grace = await app.signInAs(GRACE)
  t.equal(await app.status(ada.cookie, '/calendar'), 200, 'calendar access before')
  t.equal(await app.send({ type: 'tokens-revoked', account: ADA }), 202)
  t.equal(await app.status(ada.cookie), 200, 'still signed in')
  t.same(await (await fetch(`${app.url}/api/has-client`, { headers: { cookie: ada.cookie } })).json(), { client: false }, 'request.googleAuth is null')
  t.same(await (await fetch(`${app.url}/scopes`, { headers: { cookie: ada.cookie } })).json(), { scopes: [] }, 'no scope granted any more')
  t.equal(await app.status(ada.cookie, '/calendar'), 403, 'requireScopes asks again')
  t.same(await (await fetch(`${app.url}/api/has-client`, { headers: { cookie: grace.cookie } })).json(), { client: true }, 'Grace keeps her access')
  t.match(app.reports(), [{ eventType: 'tokens-revoked', userId: ADA_SUB, actions: ['tokens-dropped'], sessions: 1 }])
})

for (const tokenIdentifier of ['prefix', 'hash'] as const) {
  t.test(`token-revoked (${tokenIdentifier}) drops the session holding that refresh token, and no other`, async (t) => {
    const app = await riscApp(t)
    const first = await app.signInAs(ADA)
    const second = await app.signInAs(ADA)
    t.equal(await app.send({ type: 'token-revoked', account: ADA, tokenIdentifier }), 202)
    const clients = await Promise.all([first, second].map(async (session) => (await (await fetch(`${app.url}/api/has-client`, { headers: { cookie: session.cookie } })).json() as { client: boolean }).client))
    t.same(clients, [true, false], 'the newest session (its refresh token revoked) lost its Google access; the other kept its own')
    t.equal(await app.status(second.cookie), 200, 'still signed in')
    t.match(app.reports(), [{ eventType: 'token-revoked', userId: null, actions: ['tokens-dropped'], sessions: 1 }])
  })
}

t.test('account-credential-change-required is reported, and nothing else is done', async (t) => {
  const app = await riscApp(t)
  const ada = await app.signInAs(ADA)
  t.equal(await app.send({ type: 'account-credential-change-required', account: ADA }), 202)
  t.equal(await app.status(ada.cookie), 200)
  t.match(app.reports(), [{ eventType: 'account-credential-change-required', userId: ADA_SUB, actions: ['none'] }])
})

t.test('a redelivered token is answered 202 and acted on once', async (t) => {
  const app = await riscApp(t)
  await app.signInAs(ADA)
  const token = app.google.securityEventToken({ type: 'sessions-revoked', account: ADA })
  for (let i = 0; i < 3; i++) {
    const answer = await fetch(`${app.url}/oauth2/google/risc`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })
    t.equal(answer.status, 202, `delivery ${i + 1}: 202`)
  }
  t.equal(app.reports().length, 1, 'one security event reported')
  t.equal(app.events.filter((event) => event.type === 'sign-out').length, 1, 'one sign-out everywhere')
})

t.test('onSecurityEvent: \'handled\' replaces the default, nothing adds to it, a throw fails the delivery so that Google delivers again', async (t) => {
  const seen: SecurityEvent[] = []
  let fail = false
  const app = await riscApp(t, {
    risc: {
      onSecurityEvent: async (event, { request }) => {
        seen.push(event)
        t.equal(typeof request.id, 'string', 'given the request')
        if (fail) throw new Error('the app\'s database is down')
        return event.type === 'sessions-revoked' ? 'handled' : undefined
      }
    }
  })
  const ada = await app.signInAs(ADA)
  t.equal(await app.send({ type: 'sessions-revoked', account: ADA }), 202)
  t.equal(await app.status(ada.cookie), 200, 'handled by the app: Ada stays signed in')
  t.match(seen[0], { type: 'sessions-revoked', userId: ADA_SUB, uri: 'https://schemas.openid.net/secevent/risc/event-type/sessions-revoked' })
  t.match(app.reports(), [{ eventType: 'sessions-revoked', actions: ['handled-by-app'] }])

  t.equal(await app.send({ type: 'account-disabled', account: ADA, reason: 'hijacking' }), 202)
  t.equal(await app.status(ada.cookie), 401, 'not handled: the default ran after the hook')

  fail = true
  const token = app.google.securityEventToken({ type: 'account-enabled', account: ADA })
  const post = async () => (await fetch(`${app.url}/oauth2/google/risc`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })).status
  t.equal(await post(), 500, 'the hook threw: 500')
  await t.rejects(app.signInAs(ADA), /ACCOUNT_DISABLED/, 'nothing done')
  fail = false
  t.equal(await post(), 202, 'the redelivery is acted on')
  await app.signInAs(ADA)
  t.notOk(app.logs.some((line) => line.includes('database is down') && !line.includes('"stack"')), 'the hook\'s message only in a stack trace of the error log')
})

t.test('a verification event, and a type the plugin does not know, are reported and accepted', async (t) => {
  const app = await riscApp(t)
  const token = app.google.securityEventToken({ type: 'account-credential-change-required', account: ADA }, { claims: { events: { 'https://schemas.openid.net/secevent/risc/event-type/something-new': { subject: { subject_type: 'iss-sub', iss: 'https://accounts.google.com/', sub: ADA_SUB } } } } })
  t.equal((await fetch(`${app.url}/oauth2/google/risc`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })).status, 202)
  t.equal(await app.send({ type: 'verification', state: 'check-42' }), 202)
  t.match(app.reports(), [
    { eventType: 'https://schemas.openid.net/secevent/risc/event-type/something-new', actions: ['none'] },
    { eventType: 'verification', userId: null, state: 'check-42', actions: ['none'] }
  ])
})
