import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { createSealedBox } from '../../src/sign-in/sealed-box.js'
import type { Browser } from '../fixtures/browser.js'
import { SESSION_SECRET, startApp, type TestApp } from '../fixtures/app.js'
import { HOSTILE_ID_TOKENS } from '../fixtures/hostile-id-tokens.js'
import { MINUTE, testClock } from '../fixtures/clock.js'
import { until } from '../fixtures/wait.js'

const SECRET_LOOKING = /eyJ[\w-]+\.|ya29\.|4(\/|%2F)0A[\w-]{8,}|1\/\/[\w-]{8,}|test-client-secret|code_verifier=|[?&]code=[^[]/

/** Requests a callback URL as an API client would and checks every property of a refusal. */
async function expectRefusal (t: Test, app: TestApp, browser: Browser, url: string, status: number, code: string): Promise<void> {
  const response = await browser.request(url, { headers: { accept: 'application/json' } })
  const text = await response.text()
  t.equal(response.status, status, `${code}: status`)
  t.equal((JSON.parse(text) as { code: string }).code, code, 'stable code')
  t.notMatch(text, SECRET_LOOKING, 'nothing secret in the response')
  t.notMatch(text, /at .*\.(ts|js):\d+/, 'no stack trace')
  t.equal(response.headers.get('cache-control'), 'no-store')
  const me = await browser.request(`${app.url}/api/me`)
  t.equal(me.status, 401, 'nobody is signed in')
  t.notMatch(app.logs.join(''), SECRET_LOOKING, 'nothing secret in the logs')
  const home = await browser.request(`${app.url}/`)
  t.equal(home.status, 200, 'the server keeps serving')
}

const tokenCalls = (app: TestApp): number => app.tokenCalls()

t.test('a callback without state is refused before Google is called', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  callback.searchParams.delete('state')
  await expectRefusal(t, app, b, callback.href, 400, 'FST_GOOGLE_OAUTH_STATE_MISSING')
  t.equal(tokenCalls(app), 0, 'token endpoint not called')
})

t.test('login CSRF: the attacker\'s own code and state opened in the victim\'s browser is refused', async (t) => {
  const app = await startApp(t)
  const attacker = app.browser()
  const victim = app.browser()
  const forged = await app.callbackFromGoogle(attacker)
  await victim.request(`${app.url}/oauth2/google`) // the victim even has an attempt of their own pending
  await expectRefusal(t, app, victim, forged.href, 400, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
  t.equal(tokenCalls(app), 0, 'token endpoint not called')
})

t.test('login CSRF from a sibling subdomain: a planted attempt cookie does not work in another browser', async (t) => {
  const app = await startApp(t)
  const attacker = app.browser()
  const victim = app.browser()
  const forged = await app.callbackFromGoogle(attacker)
  await victim.navigate(`${app.url}/login`) // the victim has a browser binding of their own
  for (const [name, value] of Object.entries(attacker.cookiesFor(forged.href))) {
    if (name.startsWith('goauth.attempt.')) victim.plant(app.url, name, value, '/oauth2/google')
  }
  await expectRefusal(t, app, victim, forged.href, 400, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
  t.match(app.logs.join(''), /"reason":"other-browser"/, 'the log says why')
  t.equal(tokenCalls(app), 0, 'token endpoint not called')
})

t.test('a replayed callback is refused, even when the browser kept the attempt cookie', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  const kept = { ...b.cookiesFor(callback.href) }
  const first = await b.request(callback.href)
  t.equal(first.status, 303)
  await b.submit(`${app.url}/logout`)
  for (const [name, value] of Object.entries(kept)) b.plant(app.url, name, value, '/oauth2/google')
  await expectRefusal(t, app, b, callback.href, 400, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
  t.equal(tokenCalls(app), 1, 'only the first callback reached Google')
})

t.test('a tampered attempt cookie is refused', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  const [name, value] = Object.entries(b.cookiesFor(callback.href)).find(([n]) => n.startsWith('goauth.attempt.'))!
  b.plant(app.url, name, value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA'), '/oauth2/google')
  await expectRefusal(t, app, b, callback.href, 400, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
})

t.test('an expired attempt is refused', async (t) => {
  const clock = testClock()
  const app = await startApp(t, { clock })
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  await clock.tick(10 * MINUTE + 1)
  // The browser (on the real clock) still sends the attempt's cookie: the server decides.
  await expectRefusal(t, app, b, callback.href, 400, 'FST_GOOGLE_OAUTH_STATE_EXPIRED')
  t.equal(tokenCalls(app), 0)
})

t.test('access denied at Google: a friendly page, escaped, no sign-in', async (t) => {
  const app = await startApp(t)
  app.google.setAutoConsent('deny')
  const b = app.browser()
  const result = await b.navigate(`${app.url}/oauth2/google?returnTo=/profile`)
  t.equal(result.response.status, 403)
  t.match(result.body, /cancelled at Google/)
  t.match(result.body, /href="\/login\?returnTo=%2Fprofile"/, 'a way back to the login page, keeping where the person was going')
  t.match(result.response.headers.get('content-security-policy'), /default-src 'none'/)
  t.equal((await b.request(`${app.url}/api/me`)).status, 401)
  t.equal(tokenCalls(app), 0)
})

t.test('an error parameter carrying markup is never reflected', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  callback.searchParams.delete('code')
  callback.searchParams.set('error', '<script>alert(1)</script>')
  callback.searchParams.set('error_description', '<img src=x onerror=alert(1)>')
  const response = await b.request(callback.href, { headers: { accept: 'text/html' } })
  const html = await response.text()
  t.equal(response.status, 400)
  t.notMatch(html, /<script>|<img|alert\(1\)/)
  t.match(html, /FST_GOOGLE_OAUTH_PROVIDER_ERROR/)
})

t.test('strict parameters: repeated, empty or oversized values are a 400, never a 500', async (t) => {
  const app = await startApp(t)
  const cases: Array<[string, (url: URL) => void, string]> = [
    ['repeated code', (u) => u.searchParams.append('code', 'x'), 'FST_GOOGLE_OAUTH_INVALID_CALLBACK'],
    ['empty code', (u) => u.searchParams.set('code', ''), 'FST_GOOGLE_OAUTH_INVALID_CALLBACK'],
    ['missing code', (u) => u.searchParams.delete('code'), 'FST_GOOGLE_OAUTH_INVALID_CALLBACK'],
    ['oversized code', (u) => u.searchParams.set('code', 'x'.repeat(10 * 1024)), 'FST_GOOGLE_OAUTH_INVALID_CALLBACK'],
    ['foreign iss', (u) => u.searchParams.set('iss', 'https://evil.example'), 'FST_GOOGLE_OAUTH_ISSUER_MISMATCH'],
    ['repeated state', (u) => u.searchParams.append('state', 'x'), 'FST_GOOGLE_OAUTH_INVALID_CALLBACK'],
    ['empty state', (u) => u.searchParams.set('state', ''), 'FST_GOOGLE_OAUTH_STATE_MISSING']
  ]
  for (const [name, mutate, code] of cases) {
    const b = app.browser()
    const callback = await app.callbackFromGoogle(b)
    mutate(callback)
    const response = await b.request(callback.href, { headers: { accept: 'application/json' } })
    t.equal(response.status, 400, `${name}: 400`)
    t.equal((await response.json() as { code: string }).code, code, `${name}: code`)
  }
  t.equal(tokenCalls(app), 0, 'Google never called')
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  callback.searchParams.set('iss', 'https://accounts.google.com')
  t.equal((await b.request(callback.href)).status, 303, 'Google\'s own iss is accepted')
})

t.test('Google refusing or failing at the token endpoint', async (t) => {
  const cases: Array<[Parameters<TestApp['google']['misbehave']>[1], number, string]> = [
    ['invalid_grant', 400, 'FST_GOOGLE_OAUTH_CODE_REJECTED'],
    ['invalid_client', 502, 'FST_GOOGLE_OAUTH_GOOGLE_CLIENT_REJECTED'],
    ['server_error', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['malformed', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['html', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['empty', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['no_id_token', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['reset', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['rate_limited', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['unavailable', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE'],
    ['huge', 502, 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE']
  ]
  // Calls to Google are bounded on the plugin's clock: only the test moves it.
  const clock = testClock()
  const googleTimeout = 500
  const app = await startApp(t, { clock, plugin: { googleTimeout } })
  for (const [behaviour, status, code] of cases) {
    t.test(String(behaviour), async (t) => {
      app.google.reset()
      app.google.misbehave('token', behaviour)
      const b = app.browser()
      const callback = await app.callbackFromGoogle(b)
      await expectRefusal(t, app, b, callback.href, status, code)
    })
  }
  t.test('hang', async (t) => {
    app.google.reset()
    app.google.misbehave('token', 'hang')
    const b = app.browser()
    const callback = await app.callbackFromGoogle(b)
    const before = tokenCalls(app)
    const refused = expectRefusal(t, app, b, callback.href, 504, 'FST_GOOGLE_OAUTH_GOOGLE_TIMEOUT')
    await until(() => tokenCalls(app) > before, 'the token request to reach Google')
    await clock.tick(googleTimeout)
    await refused
  })
})

t.test('an ID token that fails verification is refused with 502', async (t) => {
  const app = await startApp(t)
  for (const { name, tamper } of HOSTILE_ID_TOKENS) {
    t.test(name, async (t) => {
      app.google.tamperIdToken(tamper)
      const b = app.browser()
      const callback = await app.callbackFromGoogle(b)
      await expectRefusal(t, app, b, callback.href, 502, 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID')
    })
  }
})

t.test('email_verified as the string "true" does not count as verified: only the boolean does', async (t) => {
  const app = await startApp(t)
  app.google.tamperIdToken(({ claims }) => ({ claims: { ...claims, email_verified: 'true' } }))
  const b = app.browser()
  await app.signIn(b)
  const user = await (await b.request(`${app.url}/api/me`)).json() as { emailVerified: unknown }
  t.equal(user.emailVerified, false)
})

t.test('hosted domain: only accounts whose verified hd claim matches', async (t) => {
  const app = await startApp(t, { plugin: { hostedDomain: 'analytical.example' } })
  const workspace = app.google.accounts.find((account) => account.hd === 'analytical.example')!
  const consumer = app.google.accounts.find((account) => account.hd === undefined)!

  app.google.setAutoConsent(consumer.email)
  const b = app.browser()
  const start = await b.request(`${app.url}/oauth2/google`)
  t.equal(new URL(start.headers.get('location')!).searchParams.get('hd'), 'analytical.example', 'hd hint sent')
  const callback = await app.callbackFromGoogle(b)
  await expectRefusal(t, app, b, callback.href, 403, 'FST_GOOGLE_OAUTH_HOSTED_DOMAIN_MISMATCH')

  app.google.setAutoConsent(workspace.email)
  const c = app.browser()
  await app.signIn(c)
  const user = await (await c.request(`${app.url}/api/me`)).json() as { hostedDomain: string }
  t.equal(user.hostedDomain, 'analytical.example')
})

t.test('code injection without PKCE: an attacker\'s code issued without a challenge is refused even with the victim\'s state and nonce', async (t) => {
  const app = await startApp(t)
  const victim = app.browser()
  const start = await victim.request(`${app.url}/oauth2/google?returnTo=/profile`)
  const authorization = new URL(start.headers.get('location')!)
  const injected = app.google.issueCodeFor('grace@example.com', {
    state: authorization.searchParams.get('state')!,
    nonce: authorization.searchParams.get('nonce')!,
    redirectUri: authorization.searchParams.get('redirect_uri')!
  })
  await expectRefusal(t, app, victim, injected.callbackUrl, 400, 'FST_GOOGLE_OAUTH_CODE_REJECTED')
  t.equal(tokenCalls(app), 1, 'Google refused the verifier the plugin sent for it')
})

t.test('returnTo is checked again when the attempt is opened at the callback', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await b.navigate(`${app.url}/login`)
  const binding = b.cookiesFor(app.url)['goauth.browser']!
  // An attempt sealed with the app's own secret but holding an unsafe returnTo (as a bug elsewhere could store).
  const state = 's'.repeat(43)
  const verifier = 'v'.repeat(64)
  const attempt = { state, nonce: 'n'.repeat(32), codeVerifier: verifier, returnTo: '//evil.example/steal', startedAt: Date.now(), browser: sha256(binding) }
  const name = `goauth.attempt.${sha256(state).slice(0, 16)}`
  b.plant(app.url, name, createSealedBox([SESSION_SECRET], 'login-attempt').seal(JSON.stringify(attempt), name), '/oauth2/google')
  const { callbackUrl } = app.google.issueCodeFor('ada@example.com', { state, nonce: attempt.nonce, codeChallenge: sha256(verifier), redirectUri: `${app.url}/oauth2/google/callback` })
  const response = await b.request(callbackUrl)
  t.equal(response.status, 303, 'signed in')
  t.equal(response.headers.get('location'), '/', 'but sent home, not to another site')
})

function sha256 (value: string): string {
  return createHash('sha256').update(value).digest('base64url')
}
