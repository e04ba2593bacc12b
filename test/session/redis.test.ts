import t, { type Test } from 'tap'
import { startFakeGoogle } from '../../src/testing/index.js'
import { CLIENT_ID, CLIENT_SECRET, openServer, portOf, startApp } from '../fixtures/app.js'
import { Browser } from '../fixtures/browser.js'
import { privateRedis, ready, redisStore } from '../fixtures/redis.js'
import { openStoredTokens } from '../fixtures/sealed-tokens.js'

const SECRET = 'one-secret-shared-by-all-instances-0123456789'

/** Two instances behind one public callback URL (the load balancer sends the callback to B). */
async function twoInstances (t: Test) {
  const [serverA, serverB] = [await openServer(t), await openServer(t)]
  const callbackUrl = `http://127.0.0.1:${portOf(serverB)}/oauth2/google/callback`
  const google = await startFakeGoogle({ autoConsent: true, clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [callbackUrl] }] })
  t.teardown(() => google.close())
  const { store, client } = redisStore(t)
  await ready(client)
  const plugin = { store, secret: SECRET, callbackUrl }
  const a = await startApp(t, { sharedGoogle: google, server: serverA, plugin })
  const b = await startApp(t, { sharedGoogle: google, server: serverB, plugin })
  return { a, b, google, store, client, plugin, portA: portOf(serverA) }
}

t.test('two instances share sessions through Redis: start on A, callback on B, guarded routes on both', async (t) => {
  const { a, b } = await twoInstances(t)
  const browser = new Browser()
  const result = await browser.navigate(`${a.url}/oauth2/google?returnTo=/api/me`)
  t.equal(new URL(result.url).origin, b.url, 'the callback landed on B')
  t.equal(result.response.status, 200)
  t.match(JSON.parse(result.body), { email: 'ada@example.com' })
  t.equal((await browser.request(`${a.url}/api/me`)).status, 200, 'A knows the session')
  t.equal((await browser.request(`${b.url}/api/me`)).status, 200, 'B knows the session')

  t.equal((await browser.submit(`${b.url}/logout`, { origin: b.url })).status, 303)
  t.equal(browser.cookiesFor(a.url)['goauth.sid'], undefined, 'session cookie cleared')
  t.equal((await browser.request(`${a.url}/api/me`)).status, 401, 'logout on B ended the session on A')
})

t.test('logout on B ends the session on A even for a cookie kept elsewhere', async (t) => {
  const { a, b } = await twoInstances(t)
  const browser = new Browser()
  await browser.navigate(`${a.url}/oauth2/google?returnTo=/`)
  const kept = `goauth.sid=${browser.cookiesFor(a.url)['goauth.sid']}`
  await browser.submit(`${b.url}/logout`, { origin: b.url })
  const response = await fetch(`${a.url}/api/me`, { headers: { cookie: kept } })
  t.equal(response.status, 401)
})

t.test('a restarted instance still knows existing sessions', async (t) => {
  const { a, google, plugin, portA } = await twoInstances(t)
  const browser = new Browser()
  await browser.navigate(`${a.url}/oauth2/google?returnTo=/`)
  await a.app.close()
  const again = await startApp(t, { sharedGoogle: google, server: await openServer(t, portA), plugin })
  t.equal((await browser.request(`${again.url}/api/me`)).status, 200)
})

t.test('sessions are stored as JSON with a TTL, under the store\'s prefix', async (t) => {
  const { a, client } = await twoInstances(t)
  const browser = new Browser()
  await browser.navigate(`${a.url}/oauth2/google?returnTo=/`)
  const id = browser.cookiesFor(a.url)['goauth.sid']!.split('.')[0]!
  const keys = await client.keys(`*${id}`)
  t.equal(keys.length, 1)
  const ttl = await client.ttl(keys[0]!)
  t.ok(ttl > 0 && ttl <= 7 * 24 * 3600, `TTL set (${ttl} s)`)
  const stored = JSON.parse((await client.get(keys[0]!))!) as Record<string, unknown>
  t.match(stored, { googleUser: { email: 'ada@example.com' }, googleTokens: { sealed: String }, googleSignedInAt: Number })
  t.match(openStoredTokens(stored, SECRET), { accessToken: /^ya29\./ }, 'its tokens sealed')
})

t.test('Redis going down and coming back: 503 for guarded routes, public routes served, then service resumes', async (t) => {
  const redis = await privateRedis(t)
  const { store, client } = redisStore(t, redis.port)
  await ready(client)
  const app = await startApp(t, { plugin: { store } })
  const browser = app.browser()
  await app.signIn(browser)
  t.equal((await browser.request(`${app.url}/api/me`)).status, 200)

  await redis.stop()
  const down = await browser.request(`${app.url}/api/me`, { headers: { accept: 'application/json' } })
  const text = await down.text()
  t.equal(down.status, 503)
  t.equal((JSON.parse(text) as { code: string }).code, 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE')
  t.notMatch(text, /ECONNREFUSED|Connection is closed|Stream isn't writeable/i, 'the store\'s own message is not echoed')
  t.equal((await browser.request(`${app.url}/`)).status, 200, 'a public route still answers, even with the cookie')
  const page = await browser.navigate(`${app.url}/profile`)
  t.equal(page.response.status, 503, 'a guarded page explains instead of sending to the login page')

  await redis.start()
  await ready(client)
  t.equal((await browser.request(`${app.url}/api/me`)).status, 200, 'the session is back once Redis is')
})

t.test('a sign-in that cannot be saved fails cleanly', async (t) => {
  const redis = await privateRedis(t)
  const { store, client } = redisStore(t, redis.port)
  await ready(client)
  const app = await startApp(t, { plugin: { store } })
  await redis.stop()
  const result = await app.browser().navigate(`${app.url}/oauth2/google?returnTo=/profile`)
  t.equal(result.response.status, 503)
  t.match(result.body, /FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE/)
})
