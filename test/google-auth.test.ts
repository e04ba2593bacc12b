import t from 'tap'
import { startApp, type TestApp } from './fixtures/app.js'
import type { Browser } from './fixtures/browser.js'
import { CountingStore } from './fixtures/counting-store.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Signs in and makes the stored access token an expired one, as an hour later. */
async function signInExpired (app: TestApp, store: CountingStore, browser: Browser): Promise<string> {
  await app.signIn(browser)
  const id = browser.cookiesFor(app.url)['goauth.sid']!.split('.')[0]!
  store.get(id, (_error, session) => {
    const record = session as unknown as { googleTokens: Record<string, unknown> }
    store.set(id, { ...record, googleTokens: { ...record.googleTokens, expiresAt: Date.now() - 1000 } } as never, () => {})
  })
  return id
}

t.test('request.googleAuth calls Google APIs as the user', async (t) => {
  const app = await startApp(t, { plugin: { accessType: 'offline' } })
  const b = app.browser()
  t.same(await (await b.request(`${app.url}/api/has-client`)).json(), { client: false }, 'null when signed out')
  await app.signIn(b)
  const response = await b.request(`${app.url}/api/google-profile`)
  t.equal(response.status, 200)
  t.match(await response.json(), { sub: app.google.accounts[0]!.sub, email: 'ada@example.com' })
})

t.test('an expired access token is refreshed once and saved once; the refresh token is kept', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store, accessType: 'offline' } })
  const b = app.browser()
  const id = await signInExpired(app, store, b)
  const before = storedTokens(store, id)
  const writes = store.sets
  const refreshesBefore = tokenCalls(app)

  const responses = await Promise.all([1, 2, 3, 4, 5].map(() => b.request(`${app.url}/api/google-profile`)))
  t.same(responses.map((r) => r.status), [200, 200, 200, 200, 200])
  t.equal(tokenCalls(app) - refreshesBefore, 1, 'five concurrent requests shared one refresh')
  t.equal(store.sets - writes, 1, 'the new tokens were written once')
  const after = storedTokens(store, id)
  t.not(after.accessToken, before.accessToken, 'a new access token is stored')
  t.equal(after.refreshToken, before.refreshToken, 'the refresh token is kept when Google sends none')
  t.ok((after.expiresAt as number) > Date.now(), 'with its expiry')
})

t.test('a revoked refresh token ends the session with REAUTH_REQUIRED, not a 500', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store, accessType: 'offline' } })
  const b = app.browser()
  await signInExpired(app, store, b)
  app.google.revokeAll()
  const response = await b.request(`${app.url}/api/google-profile`, { headers: { accept: 'application/json' } })
  const body = await response.text()
  t.equal(response.status, 401)
  t.equal((JSON.parse(body) as { code: string }).code, 'FST_GOOGLE_OAUTH_REAUTH_REQUIRED')
  t.notMatch(body, /invalid_grant|ya29|1\/\//)
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'the session ended')
})

t.test('without a refresh token an expired access token asks for a new sign-in, and the session stays', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store } })
  const b = app.browser()
  await signInExpired(app, store, b)
  const response = await b.request(`${app.url}/api/google-profile`, { headers: { accept: 'application/json' } })
  t.equal(response.status, 401)
  t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_REAUTH_REQUIRED')
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'still signed in to the app')
})

t.test('a refresh still in flight when the user signs out does not bring the session back', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store, accessType: 'offline' } })
  const b = app.browser()
  const id = await signInExpired(app, store, b)
  app.google.misbehave('token', { delayMs: 400 })
  const slowCall = b.request(`${app.url}/api/google-profile`)
  await sleep(100)
  t.equal((await b.submit(`${app.url}/logout`)).status, 303)
  await slowCall
  await sleep(50)
  t.notOk(store.has(id), 'the session is not back in the store')
  t.equal((await b.request(`${app.url}/api/me`)).status, 401)
})

t.test('revokeOnLogout revokes the Google token; a failing revoke never blocks sign-out', async (t) => {
  const app = await startApp(t, { plugin: { accessType: 'offline', revokeOnLogout: true }, })
  const b = app.browser()
  await app.signIn(b)
  const revokes = () => app.google.requests.filter((r) => r.endpoint === 'revocation').length
  t.equal((await b.submit(`${app.url}/logout`)).status, 303)
  for (let i = 0; i < 50 && revokes() === 0; i++) await sleep(20)
  t.equal(revokes(), 1, 'the token was revoked at Google')

  app.google.misbehave('revocation', 'hang')
  const c = app.browser()
  await app.signIn(c)
  const started = Date.now()
  const response = await c.submit(`${app.url}/logout`)
  t.equal(response.status, 303)
  t.ok(Date.now() - started < 1000, 'sign-out answered without waiting for Google')
  t.equal((await c.request(`${app.url}/api/me`)).status, 401)
})

t.test('off by default: sign-out does not revoke', async (t) => {
  const app = await startApp(t, { plugin: { accessType: 'offline' } })
  const b = app.browser()
  await app.signIn(b)
  await b.submit(`${app.url}/logout`)
  await sleep(100)
  t.equal(app.google.requests.filter((r) => r.endpoint === 'revocation').length, 0)
})

function tokenCalls (app: { google: { requests: ReadonlyArray<{ endpoint: string }> } }): number {
  return app.google.requests.filter((r) => r.endpoint === 'token').length
}

function storedTokens (store: CountingStore, id: string): Record<string, unknown> {
  let tokens: Record<string, unknown> = {}
  store.get(id, (_error, session) => { tokens = (session as unknown as { googleTokens: Record<string, unknown> }).googleTokens })
  return tokens
}
