import t from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import type { SecurityEventDelivery } from '../../src/testing/index.js'
import { CLIENT_ID, startApp, type TestApp } from '../fixtures/app.js'

/**
 * The security event route (`risc` option, RFC 8935): Google's pushed tokens are verified before
 * anything is done (security checklist row 48); every refusal is an RFC 8935 answer with the
 * plugin's code, and changes nothing.
 */
const ADA = 'ada@example.com'
const ADA_SUB = '100000000000000000001'

interface RiscApp extends TestApp {
  events: GoogleOAuthEvent[]
  receiver: string
}

async function riscApp (t: Parameters<typeof startApp>[0], risc: unknown = true): Promise<RiscApp> {
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { plugin: { risc: risc as true, onEvent: (event) => { events.push(event) } } })
  return { ...app, events, receiver: `${app.url}/oauth2/google/risc` }
}

const me = async (app: TestApp, cookie: string) => (await fetch(`${app.url}/api/me`, { headers: { cookie } })).status

t.test('a verified security event is answered 202 with no body, and reported', async (t) => {
  const app = await riscApp(t)
  const answer = await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: ADA }, { to: app.receiver })
  t.equal(answer.status, 202)
  t.equal(answer.body, '', 'no body')
  t.match(app.events.filter((event) => event.type === 'security-event'), [{ eventType: 'account-credential-change-required', userId: ADA_SUB, reason: null, actions: ['none'], sessions: 0, state: null }])
  t.equal(app.app.googleOAuth.routes.risc, '/oauth2/google/risc', 'the route is named risc')
})

/** Each forgery or unusable delivery: what it is, how the fake makes it, and the answer. */
const REFUSALS: Array<{ name: string, delivery: SecurityEventDelivery, status: number, code: string, err: string }> = [
  { name: 'a signature by another key under Google\'s kid', delivery: { signing: 'rogue-key' }, status: 400, code: 'SECURITY_EVENT_SIGNATURE', err: 'invalid_key' },
  { name: 'a kid not in Google\'s key set', delivery: { signing: 'unknown-kid' }, status: 400, code: 'SECURITY_EVENT_UNKNOWN_KEY', err: 'invalid_key' },
  { name: 'alg: none', delivery: { signing: 'none' }, status: 400, code: 'SECURITY_EVENT_ALGORITHM', err: 'invalid_request' },
  { name: 'HS256 in the header', delivery: { header: { alg: 'HS256' } }, status: 400, code: 'SECURITY_EVENT_ALGORITHM', err: 'invalid_request' },
  { name: 'another audience', delivery: { audience: 'someone-else.apps.googleusercontent.com' }, status: 400, code: 'SECURITY_EVENT_AUDIENCE', err: 'invalid_audience' },
  { name: 'the ID token issuer (no slash) instead of the RISC configuration\'s', delivery: { issuer: 'https://accounts.google.com' }, status: 400, code: 'SECURITY_EVENT_ISSUER', err: 'invalid_issuer' },
  { name: 'another issuer', delivery: { issuer: 'https://evil.example/' }, status: 400, code: 'SECURITY_EVENT_ISSUER', err: 'invalid_issuer' },
  { name: 'no events claim', delivery: { claims: { events: undefined } }, status: 400, code: 'SECURITY_EVENT_NO_EVENTS', err: 'invalid_request' },
  { name: 'an empty events object', delivery: { claims: { events: {} } }, status: 400, code: 'SECURITY_EVENT_NO_EVENTS', err: 'invalid_request' },
  { name: 'no jti', delivery: { claims: { jti: undefined } }, status: 400, code: 'SECURITY_EVENT_MALFORMED', err: 'invalid_request' },
  { name: 'no iat', delivery: { claims: { iat: undefined } }, status: 400, code: 'SECURITY_EVENT_MALFORMED', err: 'invalid_request' },
  { name: 'a body that is no JWS', delivery: { body: 'not a token' }, status: 400, code: 'SECURITY_EVENT_MALFORMED', err: 'invalid_request' },
  { name: 'the token as JSON', delivery: { contentType: 'application/json' }, status: 415, code: 'SECURITY_EVENT_CONTENT_TYPE', err: 'invalid_request' },
  { name: 'the token as text', delivery: { contentType: 'text/plain' }, status: 415, code: 'SECURITY_EVENT_CONTENT_TYPE', err: 'invalid_request' },
  { name: 'a body over 64 KB', delivery: { body: 'x'.repeat(64 * 1024 + 1) }, status: 413, code: 'INVALID_REQUEST', err: 'invalid_request' }
]

t.test('every refused delivery is an RFC 8935 answer with its code, and ends no session', async (t) => {
  const app = await riscApp(t)
  const ada = await app.signInAs(ADA)
  for (const refusal of REFUSALS) {
    const answer = await app.google.sendSecurityEvent({ type: 'sessions-revoked', account: ADA }, { to: app.receiver, ...refusal.delivery })
    t.equal(answer.status, refusal.status, `${refusal.name}: ${refusal.status}`)
    t.match(answer.body, { err: refusal.err, description: String, code: `FST_GOOGLE_OAUTH_${refusal.code}` }, `${refusal.name}: ${refusal.code}`)
    t.notOk(JSON.stringify(answer.body).includes(answer.token.split('.')[1]!), `${refusal.name}: the token is not echoed`)
    t.equal(await me(app, ada.cookie), 200, `${refusal.name}: Ada is still signed in`)
  }
  t.notOk(app.events.some((event) => event.type === 'security-event' || event.type === 'sign-out'), 'nothing was acted on')
  t.notOk(app.logs.some((line) => /eyJ[\w-]*\.eyJ/.test(line)), 'no token in the logs')
  t.notOk(app.logs.some((line) => line.includes('"stack"')), 'no stack in the logs')
})

t.test('an exp in the past is no refusal: events describe the past', async (t) => {
  const app = await riscApp(t)
  const answer = await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: ADA }, { to: app.receiver, claims: { exp: 1 } })
  t.equal(answer.status, 202)
})

t.test('audiences: the other client ids of the project are accepted besides clientId', async (t) => {
  const app = await riscApp(t, { audiences: ['android-client.apps.googleusercontent.com'] })
  for (const audience of [CLIENT_ID, 'android-client.apps.googleusercontent.com']) {
    const answer = await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: ADA }, { to: app.receiver, audience })
    t.equal(answer.status, 202, audience)
  }
  const other = await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: ADA }, { to: app.receiver, audience: 'web-of-another-project.apps.googleusercontent.com' })
  t.equal(other.status, 400)
})

t.test('Google\'s RISC configuration failing is Google\'s fault: 502, so that Google delivers again', async (t) => {
  const app = await startApp(t, { plugin: { risc: true, endpoints: { riscConfiguration: 'http://127.0.0.1:9/.well-known/risc-configuration' } } })
  const answer = await app.google.sendSecurityEvent({ type: 'sessions-revoked', account: ADA }, { to: `${app.url}/oauth2/google/risc` })
  t.equal(answer.status, 502)
  t.match(answer.body, { err: 'temporarily_unavailable', code: 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE' })
})

t.test('off by default: no route, and the app\'s own routes do not take security event tokens', async (t) => {
  const app = await startApp(t, { routes: (fastify) => { fastify.post('/app/echo', async (request) => ({ body: request.body })) } })
  t.equal(app.app.googleOAuth.routes.risc, undefined)
  const token = app.google.securityEventToken({ type: 'sessions-revoked', account: ADA })
  t.equal((await fetch(`${app.url}/oauth2/google/risc`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })).status, 404)
})

t.test('the parser stays in the plugin\'s routes: the app\'s own parser for the type, and its other routes, are untouched', async (t) => {
  const app = await startApp(t, {
    plugin: { risc: true },
    before: (fastify) => { fastify.addContentTypeParser('application/secevent+jwt', { parseAs: 'string' }, (_request, body, done) => { done(null, { app: String(body).length }) }) },
    routes: (fastify) => { fastify.post('/app/echo', async (request) => ({ body: request.body })) }
  })
  const token = app.google.securityEventToken({ type: 'account-credential-change-required', account: ADA })
  const own = await fetch(`${app.url}/app/echo`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })
  t.same(await own.json(), { body: { app: token.length } }, 'the app\'s route still parses with the app\'s parser')
  t.equal((await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: ADA }, { to: `${app.url}/oauth2/google/risc` })).status, 202, 'the plugin\'s route with its own')

  const plain = await startApp(t, { plugin: { risc: true }, routes: (fastify) => { fastify.post('/app/echo', async (request) => ({ body: request.body })) } })
  t.equal((await fetch(`${plain.url}/app/echo`, { method: 'POST', headers: { 'content-type': 'application/secevent+jwt' }, body: token })).status, 415, 'an app without a parser of its own gets none from the plugin')
})

t.test('routeOptions reaches the route by its name, risc', async (t) => {
  let seen = 0
  const app = await startApp(t, { plugin: { risc: true, routeOptions: { risc: { onRequest: async () => { seen++ } } } } })
  await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: ADA }, { to: `${app.url}/oauth2/google/risc` })
  t.equal(seen, 1)
})

t.test('the option is checked at startup', async (t) => {
  const { resolveOptions } = await import('../../src/options/resolve.js')
  const valid = { clientId: CLIENT_ID, clientSecret: 's', callbackUrl: 'https://app.example/oauth2/google/callback', secret: 'x'.repeat(32) }
  t.equal(resolveOptions(valid).risc, null, 'off by default')
  t.same(resolveOptions({ ...valid, risc: true }).risc, { audiences: [CLIENT_ID], onSecurityEvent: null })
  t.equal(resolveOptions({ ...valid, prefix: '/auth', callbackUrl: 'https://app.example/auth/oauth2/google/callback', risc: true }).routes.risc, '/auth/oauth2/google/risc')
  t.throws(() => resolveOptions({ ...valid, risc: { audience: ['x'] } as never }), /options\.risc\.audience is not a setting of risc; use audiences or onSecurityEvent/)
  t.throws(() => resolveOptions({ ...valid, risc: { onSecurityEvent: 'yes' } as never }), /options\.risc\.onSecurityEvent must be a function/)
  t.throws(() => resolveOptions({ ...valid, risc: 'on' as never }), /options\.risc must be true, false or/)
})
