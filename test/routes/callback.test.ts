import t from 'tap'
import { CLIENT_ID, startApp } from '../fixtures/app.js'
import { CountingStore } from '../fixtures/counting-store.js'

t.test('a full sign-in: start → Google → callback → back to returnTo, signed in', async (t) => {
  const { url, signIn, browser, google } = await startApp(t)
  const alice = browser()
  const landed = await signIn(alice, '/profile?tab=2')
  t.equal(landed, '/profile?tab=2', 'lands on returnTo')
  const me = await alice.request(`${url}/api/me`)
  t.equal(me.status, 200)
  const user = await me.json() as Record<string, unknown>
  const ada = google.accounts[0]!
  t.same(user, {
    id: ada.sub,
    email: ada.email,
    emailVerified: true,
    name: ada.name,
    givenName: ada.givenName ?? null,
    familyName: ada.familyName ?? null,
    picture: ada.picture ?? null,
    locale: ada.locale ?? null,
    hostedDomain: null
  })
})

t.test('the callback redirects with 303, without the code, uncached and without a referrer', async (t) => {
  const { url, browser } = await startApp(t)
  const b = browser()
  const result = await b.navigate(`${url}/oauth2/google?returnTo=/api/me`)
  const callbackHop = result.hops.find((hop) => hop.url.includes('/oauth2/google/callback'))!
  t.equal(callbackHop.status, 303)
  t.equal(callbackHop.location, '/api/me')
  const replay = await b.request(callbackHop.url)
  t.equal(replay.headers.get('cache-control'), 'no-store')
  t.equal(replay.headers.get('referrer-policy'), 'no-referrer')
})

t.test('the start route sends a fresh state, nonce and S256 PKCE challenge; the verifier never leaves the server', async (t) => {
  const { url, browser } = await startApp(t)
  const first = await browser().request(`${url}/oauth2/google`)
  const second = await browser().request(`${url}/oauth2/google`)
  t.equal(first.status, 302)
  const a = new URL(first.headers.get('location')!)
  const b = new URL(second.headers.get('location')!)
  t.equal(a.searchParams.get('response_type'), 'code')
  t.equal(a.searchParams.get('code_challenge_method'), 'S256')
  t.equal(a.searchParams.get('client_id'), CLIENT_ID)
  t.equal(a.searchParams.get('redirect_uri'), `${url}/oauth2/google/callback`)
  t.match(a.searchParams.get('scope'), /openid/)
  for (const name of ['state', 'nonce', 'code_challenge']) {
    const value = a.searchParams.get(name)!
    t.ok(Buffer.from(value, 'base64url').length >= 16, `${name} carries at least 128 bits`)
    t.not(value, b.searchParams.get(name), `${name} differs per attempt`)
  }
  const cookieHeader = first.headers.getSetCookie().join('\n')
  t.notMatch(cookieHeader, a.searchParams.get('state')!, 'the state is not readable in the cookie')
  t.notMatch(first.headers.get('location')!, /code_verifier/)
})

t.test('the redirect_uri comes from configuration, never from Host or X-Forwarded-*', async (t) => {
  const { url, browser } = await startApp(t)
  const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }
  const moved = await browser().request(`${url}/oauth2/google?returnTo=/x`, { headers })
  t.equal(moved.headers.get('location'), `${url}/oauth2/google?returnTo=%2Fx&moved=1`, 'sent to the callback\'s own host, built from configuration')
  const response = await browser().request(moved.headers.get('location')!, { headers })
  t.equal(new URL(response.headers.get('location')!).searchParams.get('redirect_uri'), `${url}/oauth2/google/callback`)
})

t.test('several tabs can sign in at once; each attempt completes once', async (t) => {
  const app = await startApp(t)
  const { url, browser } = app
  const b = browser()
  await b.navigate(`${url}/login`)
  const starts = await Promise.all([1, 2, 3].map((n) => b.request(`${url}/oauth2/google?returnTo=/tab${n}`)))
  // Google answers each tab; the browser follows each callback in turn.
  const callbacks = await Promise.all(starts.map(async (start) => {
    const atGoogle = await b.request(start.headers.get('location')!)
    return atGoogle.headers.get('location')!
  }))
  const results = []
  for (const callback of callbacks) {
    const response = await b.request(callback, { headers: { accept: 'text/html' } })
    results.push([response.status, response.headers.get('location')])
  }
  t.same(results, [[303, '/tab1'], [303, '/tab2'], [303, '/tab3']])
  const tokenCalls = app.tokenCalls()
  const replay = await b.request(callbacks[0]!, { headers: { accept: 'text/html' } })
  t.same([replay.status, replay.headers.get('location')], [303, '/'], 'opened again while signed in: home (its attempt, and where it went, are gone)')
  t.equal(app.tokenCalls(), tokenCalls, 'without going back to Google')
})

t.test('already signed in: a callback whose attempt was used or is unknown sends the browser on, not to an error', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b, '/reports')
  const kept = { ...b.cookiesFor(callback.href) }
  t.equal((await b.request(callback.href)).status, 303, 'signed in')
  // Back to Google's chooser and forward again: the browser still holds the (used) attempt.
  for (const [name, value] of Object.entries(kept)) if (name.startsWith('goauth.attempt.')) b.plant(app.url, name, value, '/oauth2/google')
  const again = await b.request(callback.href, { headers: { accept: 'text/html' } })
  t.same([again.status, again.headers.get('location')], [303, '/reports'], 'on to the attempt\'s returnTo')
  const unknown = await b.request(`${app.url}/oauth2/google/callback?state=${'x'.repeat(43)}&code=4/0Aunknown`, { headers: { accept: 'text/html' } })
  t.same([unknown.status, unknown.headers.get('location')], [303, '/'], 'an unknown attempt: home')
  t.equal(app.tokenCalls(), 1, 'Google was called once, for the real sign-in')
})

t.test('a callback that matches no attempt says why: another host, or no longer pending', async (t) => {
  const app = await startApp(t)
  const callback = await app.callbackFromGoogle(app.browser(), '/')
  // A browser holding none of the plugin's cookies: as when the sign-in started on localhost and came back to 127.0.0.1.
  const elsewhere = await app.browser().request(callback.href, { headers: { accept: 'application/json' } })
  const body = await elsewhere.json() as { code: string, message: string }
  t.equal(body.code, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
  t.match(body.message, `another address than ${app.url}`, 'it names the address to open the app at')
  // A browser that has started sign-ins here, but not this one (dropped after five, or finished).
  const b = app.browser()
  await b.navigate(`${app.url}/login`)
  const evicted = await b.request(callback.href, { headers: { accept: 'application/json' } })
  t.match(await evicted.json(), { code: 'FST_GOOGLE_OAUTH_STATE_MISMATCH', message: /more than five sign-ins were started at once/ })
})

t.test('starting a sign-in stores nothing on the server', async (t) => {
  const store = new CountingStore()
  const { url, browser } = await startApp(t, { plugin: { store } })
  for (let i = 0; i < 20; i++) {
    const response = await browser().request(`${url}/oauth2/google`)
    t.equal(response.status, 302)
  }
  t.equal(store.sets, 0, 'no session written')
  t.equal(store.size, 0, 'nothing stored')
})
