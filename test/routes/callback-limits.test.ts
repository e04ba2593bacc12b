import t from 'tap'
import { startApp, type TestApp } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { until } from '../fixtures/wait.js'

const tokenCalls = (app: TestApp): number => app.tokenCalls()

t.test('a failing token endpoint is retried once, never more', async (t) => {
  const app = await startApp(t)
  app.google.misbehave('token', 'server_error')
  const b = app.browser()
  const callback = (await app.callbackFromGoogle(b, '/')).href
  const response = await b.request(callback, { headers: { accept: 'application/json' } })
  t.equal(response.status, 502)
  t.equal(tokenCalls(app), 2, 'one call and one retry')

  app.google.reset()
  app.google.misbehave('token', 'unavailable', { times: 1 })
  const c = app.browser()
  t.equal((await c.request((await app.callbackFromGoogle(c, '/')).href)).status, 303, 'a single 503 is absorbed by the retry')
})

t.test('a hanging Google does not stop other routes from answering', async (t) => {
  // The deadline of each call to Google runs on the plugin's clock: the test moves it.
  const clock = testClock()
  const app = await startApp(t, { clock, plugin: { googleTimeout: 4_000 } })
  app.google.misbehave('token', 'hang')
  const b = app.browser()
  const callback = (await app.callbackFromGoogle(b, '/')).href
  const order: string[] = []
  const hanging = b.request(callback, { headers: { accept: 'application/json' } }).then((response) => { order.push('callback'); return response })
  await until(() => tokenCalls(app) === 1, 'the code exchange to reach Google')
  const home = await app.browser().request(`${app.url}/`)
  order.push('home')
  const guarded = await app.browser().request(`${app.url}/api/me`)
  order.push('guard')
  await clock.tick(4_000)
  t.equal(home.status, 200)
  t.equal(guarded.status, 401)
  t.equal((await hanging).status, 504)
  t.match(app.logs.join(''), /"reason":"token:timeout"/, 'the call\'s own deadline fired (before the overall one)')
  t.same(order, ['home', 'guard', 'callback'], 'served while the sign-in waited on Google')
})

t.test('pending attempts per browser are bounded: the oldest are dropped', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await b.navigate(`${app.url}/login`)
  const callbacks: string[] = []
  for (let i = 0; i < 7; i++) callbacks.push((await app.callbackFromGoogle(b, `/tab${i}`)).href)
  const pending = Object.keys(b.cookiesFor(`${app.url}/oauth2/google/callback`)).filter((name) => name.startsWith('goauth.attempt.'))
  t.equal(pending.length, 5, 'five attempts kept')
  const first = await b.request(callbacks[0]!, { headers: { accept: 'application/json' } })
  t.equal(first.status, 400, 'the oldest was dropped')
  t.equal((await first.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
  const last = await b.request(callbacks[6]!)
  t.equal(last.status, 303)
  t.equal(last.headers.get('location'), '/tab6')
})

t.test('an oversized returnTo does not bloat the attempt cookie', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const start = await b.request(`${app.url}/oauth2/google?returnTo=${encodeURIComponent('/' + 'é'.repeat(465))}`)
  const cookie = start.headers.getSetCookie().find((header) => header.startsWith('goauth.attempt.'))!
  t.ok(cookie.length < 600, `attempt cookie stays small (${cookie.length} bytes)`)
})

t.test('unexpected failures are a generic 500 whose log line has tokens redacted', async (t) => {
  const app = await startApp(t, {
    plugin: { loginPage: () => { throw new Error('template failed near ya29.a0AfB_secret-token and eyJhbGciOi.eyJzdWIi.c2ln') } }
  })
  const response = await app.browser().request(`${app.url}/login`, { headers: { accept: 'application/json' } })
  const body = await response.text()
  t.equal(response.status, 500)
  t.equal((JSON.parse(body) as { code: string }).code, 'FST_GOOGLE_OAUTH_INTERNAL')
  t.notMatch(body, /template failed|ya29|eyJ[\w-]*\.eyJ/)
  const logged = app.logs.find((line) => line.includes('failed unexpectedly'))!
  t.match(logged, /template failed near \[redacted\] and \[redacted\]/, 'the stack is logged, redacted')
  t.notMatch(logged, /ya29\.a0|eyJhbGciOi/)
})

t.test('Fastify\'s own 4xx on the plugin\'s routes keeps its status under our code', async (t) => {
  const app = await startApp(t)
  const response = await app.browser().request(`${app.url}/logout`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/xml', origin: app.url },
    body: '<logout/>'
  })
  t.equal(response.status, 415)
  t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_INVALID_REQUEST')
})

const reachedTrap = (app: TestApp) => app.google.requests.filter((r) => r.path === '/redirect-target').length

t.test('a token response over 1 MB is refused while it streams, even chunked without a length (security checklist row 33)', async (t) => {
  const app = await startApp(t)
  app.google.misbehave('token', 'chunked-huge')
  const b = app.browser()
  const response = await b.request((await app.callbackFromGoogle(b, '/')).href, { headers: { accept: 'application/json' } })
  t.equal(response.status, 502)
  t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE')
  t.match(app.logs.join(''), /"reason":"token:too-large"/, 'refused for its size')
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'nobody is signed in')
})

t.test('a redirect from the token endpoint is never followed: the secret, code and verifier go nowhere else', async (t) => {
  const app = await startApp(t)
  app.google.misbehave('token', 'redirect')
  const b = app.browser()
  const response = await b.request((await app.callbackFromGoogle(b, '/')).href, { headers: { accept: 'application/json' } })
  t.equal(response.status, 502)
  t.match(app.logs.join(''), /"reason":"token:redirect"/)
  t.equal(reachedTrap(app), 0, 'nothing reached the redirect target')
  t.equal(tokenCalls(app), 1, 'and a redirect is not retried')
})

t.test('token refreshes have the same limits', async (t) => {
  // prompt: 'consent': Google sends a refresh token at every sign-in, not only the first.
  const app = await startApp(t, { plugin: { accessType: 'offline', prompt: 'consent' } })
  for (const behaviour of ['redirect', 'chunked-huge'] as const) {
    const b = app.browser()
    await app.signIn(b)
    app.google.misbehave('token', behaviour)
    // An hour later the access token has expired: the next API call refreshes it.
    const response = await b.request(`${app.url}/api/google-profile?expire=1`, { headers: { accept: 'application/json' } })
    app.google.reset()
    t.equal(response.status, 502, `${behaviour}: refused`)
    t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE')
  }
  t.equal(reachedTrap(app), 0, 'nothing reached the redirect target')
})

t.test('revocation at sign-out never follows a redirect', async (t) => {
  const app = await startApp(t, { plugin: { accessType: 'offline', revokeOnLogout: true } })
  const b = app.browser()
  await app.signIn(b)
  app.google.misbehave('revocation', 'redirect')
  t.equal((await b.submit(`${app.url}/logout`)).status, 303)
  await until(() => app.logs.some((line) => line.includes('could not revoke')), 'the revocation to fail')
  t.match(app.logs.join(''), /"reason":"revoke:redirect"/)
  t.equal(reachedTrap(app), 0, 'the token went nowhere else')
})

t.test('the key set download: over 1 MB or redirected, sign-in fails closed', async (t) => {
  for (const behaviour of ['chunked-huge', 'redirect'] as const) {
    const app = await startApp(t)
    app.google.misbehave('certs', behaviour)
    const b = app.browser()
    const response = await b.request((await app.callbackFromGoogle(b, '/')).href, { headers: { accept: 'application/json' } })
    t.equal(response.status, 502, `${behaviour}: refused`)
    t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE')
    t.equal((await b.request(`${app.url}/api/me`)).status, 401)
    t.equal(reachedTrap(app), 0)
  }
})

t.test('Google APIs called through request.googleAuth are not held to the OAuth endpoints\' limits', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  app.google.misbehave('userinfo', 'huge')
  const response = await b.request(`${app.url}/api/google-profile`)
  t.equal(response.status, 200, 'a 5 MB API answer comes through')
  t.ok((await response.text()).length > 5_000_000)
})
