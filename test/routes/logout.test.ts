import t from 'tap'
import { startApp } from '../fixtures/app.js'
import { CountingStore } from '../fixtures/counting-store.js'

t.test('GET /logout only shows a sign-out button', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  const page = await b.navigate(`${app.url}/logout`)
  t.equal(page.response.status, 200)
  t.match(page.body, /<form method="post" action="\/logout">/)
  t.match(page.body, /ada@example\.com/)
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'still signed in after the GET')
  const anonymous = await app.browser().navigate(`${app.url}/logout`)
  t.match(anonymous.body, /You are signed out/)
})

t.test('POST /logout destroys the session server-side and clears the cookie with the same attributes', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store } })
  const b = app.browser()
  await app.signIn(b)
  const cookie = b.cookiesFor(app.url)['goauth.sid']!
  const sessionId = cookie.split('.')[0]!
  t.ok(store.has(sessionId), 'session stored')
  const response = await b.submit(`${app.url}/logout`)
  t.equal(response.status, 303)
  t.equal(response.headers.get('location'), '/')
  const cleared = response.headers.getSetCookie().find((header) => header.startsWith('goauth.sid='))!
  t.match(cleared, /Expires=Thu, 01 Jan 1970/)
  t.match(cleared, /Path=\//)
  t.match(cleared, /HttpOnly/)
  t.match(cleared, /SameSite=Lax/)
  t.notOk(store.has(sessionId), 'session gone from the store')
  t.equal((await b.request(`${app.url}/api/me`)).status, 401)
  const replayed = await fetch(`${app.url}/api/me`, { headers: { cookie: `goauth.sid=${cookie}` } })
  t.equal(replayed.status, 401, 'the old cookie is worthless')
})

t.test('an API client gets 204', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  const response = await b.request(`${app.url}/logout`, { method: 'POST', headers: { accept: 'application/json', origin: app.url } })
  t.equal(response.status, 204)
  t.equal((await b.request(`${app.url}/api/me`)).status, 401)
})

t.test('cross-site sign-out requests are refused', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  const attacks: Array<Record<string, string>> = [
    { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    { 'sec-fetch-site': 'same-site', origin: app.url },
    { origin: 'https://evil.example' },
    { origin: 'null' }
  ]
  for (const headers of attacks) {
    const response = await b.request(`${app.url}/logout`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: ''
    })
    t.equal(response.status, 403, JSON.stringify(headers))
    t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST')
  }
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'still signed in')
})
