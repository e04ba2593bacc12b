import t from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import { CLIENT_ID, startApp, type TestApp } from '../fixtures/app.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { HOSTILE_ID_TOKENS } from '../fixtures/hostile-id-tokens.js'
import { testClock } from '../fixtures/clock.js'
import { until } from '../fixtures/wait.js'

const ADA = 'ada@example.com'
const ANDROID_CLIENT = '123-android.apps.googleusercontent.com'
/** A browser's page navigation: what would be sent to the login page without a credential. */
const NAVIGATION = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' }

const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra })
const me = async (app: TestApp, headers: Record<string, string>) => app.app.inject({ url: '/api/me', headers })

t.test('a Google ID token as a Bearer credential: the same guard, the same user, no session and no cookie', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { bearer: true, store } })
  const response = await me(app, bearer(app.google.idTokenFor(ADA)))
  t.equal(response.statusCode, 200)
  t.match(response.json(), { id: '100000000000000000001', email: ADA, emailVerified: true })
  t.equal(response.headers['set-cookie'], undefined, 'no cookie')
  t.equal(store.sets, 0, 'no session')
  t.equal(response.headers['cache-control'], 'no-store')
})

t.test('off by default: the header is not a credential', async (t) => {
  const app = await startApp(t)
  const response = await me(app, bearer(app.google.idTokenFor(ADA)))
  t.equal(response.statusCode, 401)
  t.equal(response.headers['www-authenticate'], undefined)
})

t.test('audiences and authorized parties: an Android app\'s token for our web client, only when its client id is listed', async (t) => {
  const android = { audience: CLIENT_ID, authorizedParty: ANDROID_CLIENT }
  const plain = await startApp(t, { plugin: { bearer: true } })
  t.equal((await me(plain, bearer(plain.google.idTokenFor(ADA, android)))).statusCode, 401, 'an azp that is not ours')
  t.equal((await me(plain, bearer(plain.google.idTokenFor(ADA, { audience: CLIENT_ID, authorizedParty: null })))).statusCode, 200, 'no azp: aud decides')

  const app = await startApp(t, { plugin: { bearer: { authorizedParties: [ANDROID_CLIENT], audiences: ['other-web.apps.googleusercontent.com'] } } })
  t.equal((await me(app, bearer(app.google.idTokenFor(ADA, android)))).statusCode, 200, 'a listed authorized party')
  t.equal((await me(app, bearer(app.google.idTokenFor(ADA, { audience: 'other-web.apps.googleusercontent.com', authorizedParty: null })))).statusCode, 200, 'a listed audience')
  t.equal((await me(app, bearer(app.google.idTokenFor(ADA, { audience: 'other-web.apps.googleusercontent.com' })))).statusCode, 200, 'a listed web client\'s own token (its azp is itself)')
  const foreign = await me(app, bearer(app.google.idTokenFor(ADA, { audience: ANDROID_CLIENT, authorizedParty: ANDROID_CLIENT })))
  t.equal(foreign.statusCode, 401, 'an authorized party is no audience')
  t.match(foreign.headers['www-authenticate'], /^Bearer realm="http:\/\/127\.0\.0\.1:\d+", error="invalid_token"$/)
})

t.test('every ID token the redirect flow refuses is refused as a Bearer token: 401 invalid_token, never a redirect', async (t) => {
  const app = await startApp(t, { plugin: { bearer: { acceptNonce: true } } })
  for (const { name, tamper, acceptedOn } of HOSTILE_ID_TOKENS) {
    app.google.tamperIdToken(tamper)
    const token = app.google.idTokenFor(ADA, { nonce: 'a-nonce-of-someone-else' })
    // (A token with a nonce is refused unless acceptNonce: the nonce cases are run with it.)
    app.google.tamperIdToken(null)
    const response = await me(app, bearer(token, NAVIGATION))
    if (acceptedOn?.includes('bearer') === true) {
      t.equal(response.statusCode, 200, `${name}: not a Bearer token's concern`)
      continue
    }
    t.equal(response.statusCode, 401, name)
    t.match(response.json(), { code: 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN' }, name)
    t.match(response.headers['www-authenticate'], /error="invalid_token"/, name)
  }
})

t.test('a malformed Authorization header is a 401 invalid_request, never a 500 or a redirect', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  const token = app.google.idTokenFor(ADA)
  const headers = ['Bearer', 'Bearer ', `Bearer ${token} ${token}`, `Bearer ${token}, Bearer ${token}`, `Bearer  ${token}`, `Bearer ${'a'.repeat(10_000)}`,
    'Bearer not-a-jwt', 'Bearer a.b', 'Basic YWRhOnNlY3JldA==', `Token ${token}`, 'Bearer a.b.c.d', 'Bearer <script>.a.b']
  for (const authorization of headers) {
    const response = await me(app, { authorization, ...NAVIGATION })
    t.equal(response.statusCode, 401, authorization.slice(0, 40))
    t.match(response.json(), { statusCode: 401, code: 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN', message: String })
    t.match(response.headers['www-authenticate'], /error="(invalid_request|invalid_token)"/)
    t.notMatch(response.body, /stack|at .*\.js/, 'no stack trace')
  }
  const garbage = await me(app, bearer('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'))
  t.match([garbage.statusCode, garbage.headers['www-authenticate']], [401, /invalid_token/], 'a JWT of nothing')
})

t.test('with the option, a request without a credential is told so (RFC 6750) and pages still go to the login page', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  const api = await me(app, {})
  t.equal(api.statusCode, 401)
  t.match(api.headers['www-authenticate'], /^Bearer realm="http:\/\/127\.0\.0\.1:\d+"$/)
  const page = await me(app, NAVIGATION)
  t.equal(page.statusCode, 302)
})

t.test('the header wins over a cookie session, and never mixes with it', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  const ada = await app.signInAs(ADA)
  const graceToken = app.google.idTokenFor('grace@example.com')
  const both = await me(app, { ...ada.headers, ...bearer(graceToken) })
  t.equal(both.json().email, 'grace@example.com', 'the header\'s user')
  t.equal((await me(app, { ...ada.headers, authorization: 'Bearer broken' })).statusCode, 401, 'a bad header is not saved by the cookie')
  t.same((await app.app.inject({ url: '/api/has-client', headers: { ...ada.headers, ...bearer(graceToken) } })).json(), { client: false }, 'an ID token grants no Google access, and the session\'s is not lent')
  t.same((await app.app.inject({ url: '/api/has-client', headers: ada.headers })).json(), { client: true })
  t.same((await app.app.inject({ url: '/', headers: { ...ada.headers, authorization: 'Bearer broken' } })).json(), { home: true, user: null }, 'unguarded routes too: the header, unverified, is nobody')
})

t.test('policies and onSignIn apply; what onSignIn returns is kept with the token until it expires', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const calls: string[] = []
  const app = await startApp(t, {
    plugin: {
      bearer: true,
      allowedDomains: ['example.com'],
      onSignIn: ({ user, method, scopes }) => {
        calls.push(`${user.email!} ${method} ${scopes.length}`)
        return user.email === 'grace@example.com' ? false : { role: 'admin' }
      },
      onEvent: (event) => { events.push(event) }
    }
  })
  const token = app.google.idTokenFor(ADA)
  for (let i = 0; i < 3; i++) t.match((await me(app, bearer(token))).json(), { email: ADA, role: 'admin' })
  t.same(calls, [`${ADA} bearer 0`], 'onSignIn once for the token')
  t.match(events.filter((event) => event.type === 'sign-in'), [{ method: 'bearer', userId: '100000000000000000001', scopes: [] }])
  t.equal(app.google.requests.filter((request) => request.endpoint === 'certs').length, 1, 'the keys downloaded once')

  const refused = await me(app, bearer(app.google.idTokenFor('grace@example.com'), NAVIGATION))
  t.match([refused.statusCode, refused.json().code], [403, 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED'], 'refused by onSignIn, as JSON')
  const policy = await me(app, bearer(app.google.idTokenFor('charles@analytical.example')))
  t.match([policy.statusCode, policy.json().code], [403, 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED'], 'refused by a policy')
  t.notMatch(JSON.stringify(events), /eyJ[\w-]*\.eyJ/, 'no token in any event')
})

t.test('the cache knows whole tokens: a verified token\'s signature on another payload is refused', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  const token = app.google.idTokenFor(ADA)
  t.equal((await me(app, bearer(token))).statusCode, 200)
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>
  const forged = `${header!}.${Buffer.from(JSON.stringify({ ...claims, sub: '100000000000000000002', email: 'grace@example.com' })).toString('base64url')}.${signature!}`
  const response = await me(app, bearer(forged))
  t.match([response.statusCode, response.headers['www-authenticate']], [401, /invalid_token/])
  t.equal((await me(app, bearer(token))).json().email, ADA, 'the real one still works')
})

t.test('concurrent requests with one new token share one verification', async (t) => {
  let calls = 0
  let release = (): void => {}
  const held = new Promise<void>((resolve) => { release = resolve })
  // The first verification is held in onSignIn until every request has arrived.
  const app = await startApp(t, { plugin: { bearer: true, onSignIn: async () => { calls++; await held } } })
  const token = app.google.idTokenFor(ADA)
  const pending = Promise.all(Array.from({ length: 20 }, () => me(app, bearer(token))))
  await until(() => calls === 1, 'the first verification to reach onSignIn')
  for (let turn = 0; turn < 10; turn++) await new Promise(setImmediate)
  release()
  const answers = await pending
  t.same(answers.map((answer) => answer.statusCode), Array(20).fill(200))
  t.equal(calls, 1)
})

t.test('a cached token stops working when it expires', async (t) => {
  const { testClock } = await import('../fixtures/clock.js')
  const clock = testClock()
  let admitted = 0
  const app = await startApp(t, { clock, plugin: { bearer: true, onSignIn: () => { admitted++ } } })
  const token = app.google.idTokenFor(ADA, { lifetimeSeconds: 600 })
  t.equal((await me(app, bearer(token))).statusCode, 200)
  // Past its exp, within the clock skew: still accepted, from the cache (not admitted again).
  await clock.tick(700_000)
  t.equal((await me(app, bearer(token))).statusCode, 200)
  const late = app.google.idTokenFor(ADA, { lifetimeSeconds: 600, claims: { jti: 'late', iat: Math.floor(clock.now() / 1000) - 700, exp: Math.floor(clock.now() / 1000) - 100 } })
  t.equal((await me(app, bearer(late))).statusCode, 200, 'a new token past its exp, within the skew, is accepted')
  t.equal((await me(app, bearer(late))).statusCode, 200)
  t.equal(admitted, 2, 'each token admitted once, even one close to its exp')
  // Past its exp and the 5 minutes of clock skew allowed with Google.
  await clock.tick(901_000)
  const expired = await me(app, bearer(token))
  t.match([expired.statusCode, expired.headers['www-authenticate']], [401, /invalid_token/])
})

t.test('Google\'s keys unreachable is Google\'s failure (502), not a bad token', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  app.google.misbehave('certs', 'server_error')
  const response = await me(app, bearer(app.google.idTokenFor(ADA)))
  t.match([response.statusCode, response.json().code], [502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'])
  t.equal(response.headers['www-authenticate'], undefined)
})

t.test('bearer options are checked at startup', async (t) => {
  for (const [bearerOption, pattern] of [
    ['yes', /options\.bearer must be true, false or/],
    [{ audience: ['x'] }, /options\.bearer\.audience is not a setting of bearer/],
    [{ authorizedParties: 'x' }, /bearer\.authorizedParties must be an array of OAuth client ids/],
    [{ cacheSize: 0 }, /bearer\.cacheSize/]
  ] as const) {
    await t.rejects(startApp(t, { plugin: { bearer: bearerOption as never } }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: pattern })
  }
})

t.test('a token issued for a sign-in (it carries a nonce: One Tap, the redirect flow) is no Bearer credential, unless acceptNonce', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  const refused = await me(app, bearer(app.google.oneTapCredentialFor(ADA, { nonce: 'the-login-page-nonce' })))
  t.match([refused.statusCode, refused.headers['www-authenticate']], [401, /invalid_token/])
  const withNonce = await startApp(t, { plugin: { bearer: { acceptNonce: true } } })
  t.equal((await me(withNonce, bearer(withNonce.google.idTokenFor(ADA, { nonce: 'the-apps-own-nonce' })))).statusCode, 200)
})

t.test('a refused token is remembered a minute: onSignIn is not asked again for every retry', async (t) => {
  let calls = 0
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { plugin: { bearer: true, onSignIn: () => { calls++; return false }, onEvent: (event) => { events.push(event) } } })
  const token = app.google.idTokenFor(ADA)
  for (let i = 0; i < 3; i++) t.equal((await me(app, bearer(token))).statusCode, 403)
  t.equal(calls, 1)
  t.equal(events.filter((event) => event.type === 'sign-in-refused').length, 1)
  const forged = `${token.slice(0, -4)}AAAA`
  for (let i = 0; i < 3; i++) t.equal((await me(app, bearer(forged))).statusCode, 401)
})

t.test('sign-out with a Bearer token signs its user out everywhere: the token and every one issued before are refused, another user\'s cookie session is not touched', async (t) => {
  const clock = testClock()
  const calls: string[] = []
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, {
    clock,
    plugin: { bearer: true, onSignIn: ({ user }) => { calls.push(user.email!) }, onEvent: (event) => { events.push(event) } },
    routes: (app) => {
      app.post('/api/sign-out', { preHandler: [app.authenticate] }, async (request, reply) => { await app.googleOAuth.signOut(request, reply); return { out: true } })
      app.post('/api/role', { preHandler: [app.authenticate] }, async (request) => app.googleOAuth.updateUser(request, { role: 'admin' }))
    }
  })
  const grace = await app.signInAs('grace@example.com')
  const adaInBrowser = await app.signInAs('ada@example.com')
  const token = app.google.idTokenFor(ADA)
  const older = app.google.idTokenFor(ADA, { claims: { jti: 'older' } })
  const both = { ...grace.headers, ...bearer(token) }
  const update = await app.app.inject({ method: 'POST', url: '/api/role', headers: both })
  t.match([update.statusCode, update.json().code], [501, 'FST_GOOGLE_OAUTH_NOT_SUPPORTED'], 'updateUser: a Bearer request has no session')
  await clock.tick(1_000)
  t.equal((await app.app.inject({ method: 'POST', url: '/api/sign-out', headers: both })).statusCode, 200)
  t.match(events.filter((event) => event.type === 'sign-out'), [{ everywhere: true, sessions: 1, userId: '100000000000000000001' }], 'a sign-out everywhere: Ada\'s browser session ended too')
  t.equal((await app.app.inject({ url: '/api/me', headers: grace.headers })).statusCode, 200, 'Grace\'s cookie session is untouched')
  t.equal((await app.app.inject({ url: '/api/me', headers: adaInBrowser.headers })).statusCode, 401, 'Ada\'s cookie session ended')
  const callsBefore = calls.length
  for (const old of [token, older]) {
    const refused = await me(app, bearer(old))
    t.match([refused.statusCode, refused.json().code], [401, 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN'], 'a token issued before the sign-out is refused')
    t.match(refused.headers['www-authenticate'], /error="invalid_token"/)
  }
  t.equal(calls.length, callsBefore, 'onSignIn is not asked about a revoked token')

  await clock.tick(1_000)
  const fresh = app.google.idTokenFor(ADA, { claims: { jti: 'after' } })
  t.equal((await me(app, bearer(fresh))).statusCode, 200, 'a token Google issues after the sign-out is accepted')
})

t.test('POST /logout with a Bearer header signs its user out everywhere (never a 204 that did nothing); a bad token is refused', async (t) => {
  const clock = testClock()
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { clock, plugin: { bearer: true, onEvent: (event) => { events.push(event) } } })
  const token = app.google.idTokenFor(ADA)
  await clock.tick(1_000)
  const logout = (authorization: string) => app.app.inject({ method: 'POST', url: '/logout', headers: { authorization, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
  const bad = await logout('Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln')
  t.match([bad.statusCode, bad.json().code], [401, 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN'], 'an unverifiable token: refused')
  t.same(events.filter((event) => event.type === 'sign-out'), [], 'and nothing signed out')
  t.equal((await logout(`Bearer ${token}`)).statusCode, 204, 'the token\'s own logout, without the guard on the route')
  t.match(events.filter((event) => event.type === 'sign-out'), [{ everywhere: true, userId: '100000000000000000001' }], 'reported as a sign-out everywhere')
  t.equal((await me(app, bearer(token))).statusCode, 401, 'the token is refused from then on')
})

/** A token and its 15 other spellings: the 4 unused bits of its signature's last character (342 characters, 4n+2) set every other way. */
function sixteenSpellings (token: string): string[] {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = digits.indexOf(token.at(-1)!)
  return Array.from({ length: 16 }, (_, bits) => token.slice(0, -1) + digits[last ^ bits]!)
}

t.test('one token, one spelling: of 16 spellings of a token only its own signs in, once; the 15 others are refused at once (security checklist row 41)', async (t) => {
  const events: GoogleOAuthEvent[] = []
  let calls = 0
  const app = await startApp(t, { plugin: { bearer: true, onSignIn: () => { calls++ }, onEvent: (event) => { events.push(event) } } })
  const token = app.google.idTokenFor(ADA)
  t.equal(token.split('.')[2]!.length % 4, 2, 'an RS256 signature ends with 4 unused bits')
  const [canonical, ...others] = sixteenSpellings(token)
  // Before and after the token's own spelling is cached.
  for (const round of ['before', 'after']) {
    if (round === 'after') t.match((await me(app, bearer(canonical!))).json(), { email: ADA })
    for (const spelling of others) {
      const response = await me(app, bearer(spelling))
      t.equal(response.statusCode, 401, `${round}: ${spelling.slice(-4)}`)
      t.match(response.json(), { code: 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN' })
      t.match(response.headers['www-authenticate'], /error="invalid_token"/)
    }
  }
  t.equal((await me(app, bearer(canonical!))).statusCode, 200, 'its own spelling, cached')
  t.equal(calls, 1, 'onSignIn once')
  t.equal(events.filter((event) => event.type === 'sign-in').length, 1, 'one sign-in event')
})

t.test('one token, one spelling: a refused token\'s other spellings neither run onSignIn again nor push its refusal out of the cache', async (t) => {
  let calls = 0
  const events: GoogleOAuthEvent[] = []
  // One remembered refusal at most: a re-spelling remembered in its place would let the token be tried again.
  const app = await startApp(t, { plugin: { bearer: { cacheSize: 1 }, onSignIn: () => { calls++; return false }, onEvent: (event) => { events.push(event) } } })
  const [canonical, ...others] = sixteenSpellings(app.google.idTokenFor(ADA))
  t.equal((await me(app, bearer(canonical!))).statusCode, 403, 'refused by onSignIn')
  for (const spelling of others) t.equal((await me(app, bearer(spelling))).statusCode, 401, spelling.slice(-4))
  t.equal((await me(app, bearer(canonical!))).statusCode, 403, 'still refused, from the cache')
  t.equal(calls, 1, 'onSignIn asked once')
  t.equal(events.filter((event) => event.type === 'sign-in-refused').length, 1)
})

t.test('refusals of a Bearer request carry no browser hints: no login URL, whatever refused it', async (t) => {
  const app = await startApp(t, { plugin: { bearer: true } })
  const refusals: Array<[string, Record<string, string>, string]> = [
    ['a foreign token', bearer(app.google.idTokenFor(ADA, { audience: ANDROID_CLIENT })), '/api/me'],
    ['an unverifiable token', bearer('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'), '/api/me'],
    ['a malformed header', { authorization: 'Bearer not-a-jwt' }, '/api/me'],
    ['another scheme', { authorization: 'Basic YWRhOnNlY3JldA==' }, '/api/me'],
    ['a page navigation', bearer('eyJhbGciOiJSUzI1NiJ9.e30.c2ln', NAVIGATION), '/api/me']
  ]
  for (const [label, headers, url] of refusals) {
    const response = await app.app.inject({ url, headers })
    t.equal(response.statusCode, 401, label)
    t.same(Object.keys(response.json()).sort(), ['code', 'error', 'message', 'statusCode'], `${label}: no loginUrl`)
  }
  const logout = await app.app.inject({ method: 'POST', url: '/logout', headers: { ...bearer('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'), 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
  t.match([logout.statusCode, logout.json().code], [401, 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN'])
  t.notOk('loginUrl' in logout.json(), 'POST /logout with a bad token: no loginUrl either')
  const cookieClient = await me(app, { accept: 'application/json' })
  t.match(cookieClient.json(), { loginUrl: '/login' }, 'a request without the header keeps it')
})
