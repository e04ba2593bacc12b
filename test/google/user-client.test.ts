import t from 'tap'
import { startApp, type TestApp } from '../fixtures/app.js'
import type { Browser } from '../fixtures/browser.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { GatedMemoryStore } from '../fixtures/gated-store.js'
import { openStoredTokens, withStoredTokens } from '../fixtures/sealed-tokens.js'
import { until } from '../fixtures/wait.js'

/** Signs in and makes the stored access token an expired one, as an hour later. */
async function signInExpired (app: TestApp, store: CountingStore, browser: Browser): Promise<string> {
  await app.signIn(browser)
  const id = browser.cookiesFor(app.url)['goauth.sid']!.split('.')[0]!
  store.get(id, (_error, session) => {
    store.set(id, withStoredTokens(session, (tokens) => ({ ...tokens, expiresAt: Date.now() - 1000 })) as never, () => {})
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
  const refreshesBefore = app.tokenCalls()

  const responses = await Promise.all([1, 2, 3, 4, 5].map(() => b.request(`${app.url}/api/google-profile`)))
  t.same(responses.map((r) => r.status), [200, 200, 200, 200, 200])
  t.equal(app.tokenCalls() - refreshesBefore, 1, 'five concurrent requests shared one refresh')
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
  const store = new GatedMemoryStore()
  const app = await startApp(t, { plugin: { store, accessType: 'offline' } })
  const { headers, cookie } = await app.signInAs()
  const id = decodeURIComponent(/goauth\.sid=([^;.]+)/.exec(cookie)![1]!)
  const write = store.hold('set', id) // the refreshed tokens' write
  const call = app.app.inject({ url: '/api/google-profile?expire=1', headers })
  await write.reached
  t.equal((await app.app.inject({ method: 'POST', url: '/logout', headers: { ...headers, 'sec-fetch-site': 'same-origin' } })).statusCode, 204)
  write.release()
  t.equal((await call).statusCode, 200, 'the call that refreshed is answered')
  t.notOk(store.has(id), 'the session is not back in the store')
  t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 401)
})

t.test('revokeOnLogout revokes the Google token; a failing revoke never blocks sign-out', async (t) => {
  // A long deadline: a sign-out that waited for the hanging revocation below would not answer.
  const app = await startApp(t, { plugin: { accessType: 'offline', prompt: 'consent', revokeOnLogout: true, googleTimeout: 60_000 } })
  const revokes = () => app.google.requests.filter((r) => r.endpoint === 'revocation').length
  const signOut = (headers: Record<string, string>) => app.app.inject({ method: 'POST', url: '/logout', headers: { ...headers, 'sec-fetch-site': 'same-origin' } })

  const first = await app.signInAs()
  t.equal((await signOut(first.headers)).statusCode, 204)
  await until(() => app.logs.some((line) => line.includes('google token revoked')), 'the revocation')
  t.equal(revokes(), 1, 'the token was revoked at Google')

  app.google.misbehave('revocation', 'hang')
  const second = await app.signInAs()
  t.equal((await signOut(second.headers)).statusCode, 204, 'sign-out answered')
  await until(() => revokes() === 2, 'the second revocation to reach Google')
  t.notOk(app.logs.some((line) => line.includes('could not revoke')), 'while Google still holds the revocation')
  t.equal((await app.app.inject({ url: '/api/me', headers: second.headers })).statusCode, 401)
})

t.test('off by default: sign-out does not revoke', async (t) => {
  const app = await startApp(t, { plugin: { accessType: 'offline' } })
  const { headers } = await app.signInAs()
  await app.app.inject({ method: 'POST', url: '/logout', headers: { ...headers, 'sec-fetch-site': 'same-origin' } })
  // A request to the fake made after the sign-out answered arrives after any the sign-out started.
  await fetch(app.google.urls.discovery)
  t.equal(app.google.requests.filter((r) => r.endpoint === 'revocation').length, 0)
})

function storedTokens (store: CountingStore, id: string): Record<string, unknown> {
  let tokens: Record<string, unknown> = {}
  store.get(id, (_error, session) => { tokens = { ...openStoredTokens(session) } })
  return tokens
}
