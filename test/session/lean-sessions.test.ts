import fastifyCookie, { Signer } from '@fastify/cookie'
import { parseSetCookie } from 'cookie'
import fastifySession from '@fastify/session'
import t from 'tap'
import { SESSION_SECRET, startApp, type TestApp } from '../fixtures/app.js'
import { HOUR, MINUTE, testClock } from '../fixtures/clock.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { fileStore } from '../fixtures/file-store.js'
import { GatedMemoryStore } from '../fixtures/gated-store.js'
import { send } from '../fixtures/http-request.js'
import { openStoredTokens } from '../fixtures/sealed-tokens.js'

/** GET /api/me as a signed-in API client. */
const me = (app: TestApp, headers: Record<string, string>) => app.app.inject({ url: '/api/me', headers: { ...headers, accept: 'application/json' } })

/** The Set-Cookie line of `name` (a prefix for attempt cookies), parsed: attributes in any order. */
function setCookie (lines: string[], name: string): ReturnType<typeof parseSetCookie> & { raw: string } {
  const line = lines.find((header) => parseSetCookie(header).name.startsWith(name))
  if (line === undefined) throw new Error(`no Set-Cookie for ${name}`)
  return { ...parseSetCookie(line), raw: line }
}

t.test('cookies over plain http on loopback: HttpOnly, SameSite=Lax, Path=/, no Domain, only an opaque signed id', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const start = await b.request(`${app.url}/oauth2/google`)
  const attempt = setCookie(start.headers.getSetCookie(), 'goauth.attempt.')
  t.match(attempt, { name: /^goauth\.attempt\.[\w-]{16}$/, value: /^[\w-]+$/, maxAge: 600, path: '/oauth2/google', httpOnly: true, sameSite: 'lax' })
  t.notOk(attempt.secure || attempt.domain, 'not Secure on plain http, no Domain')
  const binding = setCookie(start.headers.getSetCookie(), 'goauth.browser')
  t.match(binding, { value: /^[\w-]{22}$/, maxAge: 600, path: '/', httpOnly: true, sameSite: 'lax' })
  await app.signIn(b)
  const session = setCookie(b.setCookieHeaders, 'goauth.sid')
  t.match(session, { value: /^[\w-]{32}\.[\w+/-]+$/, path: '/', expires: Date, httpOnly: true, sameSite: 'lax' })
  t.equal(session.domain, undefined, 'no Domain')
  t.ok(session.raw.length < 200, 'the cookie carries no tokens')
})

t.test('behind a TLS proxy: __Host- session cookie and __Secure- attempt cookies, both Secure', async (t) => {
  const app = await startApp(t, { https: true })
  const b = app.browser()
  await app.signIn(b)
  t.match(setCookie(b.setCookieHeaders, '__Host-goauth.sid'), { path: '/', httpOnly: true, secure: true, sameSite: 'lax', domain: undefined })
  t.match(setCookie(b.setCookieHeaders, '__Secure-goauth.attempt.'), { path: '/oauth2/google', httpOnly: true, secure: true })
  t.match(setCookie(b.setCookieHeaders, '__Host-goauth.browser'), { maxAge: 600, path: '/', httpOnly: true, secure: true, sameSite: 'lax' }, 'the browser binding is a __Host- cookie')
  t.equal((await b.request(`${app.url}/api/me`)).status, 200)
})

t.test('tokens live in the server-side session only', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store, accessType: 'offline' } })
  const b = app.browser()
  await app.signIn(b)
  const id = b.cookiesFor(app.url)['goauth.sid']!.split('.')[0]!
  let stored: Record<string, unknown> = {}
  store.get(id, (_error, session) => { stored = session as unknown as Record<string, unknown> })
  t.match(stored.googleTokens, { sealed: String }, 'sealed in the store')
  const tokens = openStoredTokens(stored)
  t.match(tokens, { accessToken: /^ya29\./, idToken: /^eyJ/, refreshToken: /\S/, expiresAt: Number })
  const allCookies = b.setCookieHeaders.join('\n')
  t.notMatch(allCookies, tokens.accessToken as string)
  t.notOk(allCookies.includes(tokens.idToken as string), 'no ID token')
  // A JWT's header and payload both start with eyJ ('{"'); a bare 'eyJ' turns up in random ids by chance.
  t.notMatch(allCookies, /eyJ[\w-]*\.eyJ/, 'nothing shaped like a JWT')
})

t.test('session fixation: a planted session id does not survive sign-in and is gone from the store', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store } })
  const attacker = app.browser()
  app.google.setAutoConsent('grace@example.com')
  await app.signIn(attacker)
  const planted = attacker.cookiesFor(app.url)['goauth.sid']!
  const victim = app.browser()
  victim.plant(app.url, 'goauth.sid', planted)
  app.google.setAutoConsent('ada@example.com')
  await app.signIn(victim)
  const now = victim.cookiesFor(app.url)['goauth.sid']!
  t.not(now, planted, 'a new session id after sign-in')
  t.notOk(store.has(planted.split('.')[0]!), 'the planted id is gone from the store')
  const me = await (await victim.request(`${app.url}/api/me`)).json() as { email: string }
  t.equal(me.email, 'ada@example.com')
  t.equal((await send(`${app.url}/api/me`, { headers: { cookie: `goauth.sid=${planted}` } })).status, 401, 'the planted cookie is worthless')
})

t.test('anonymous requests and unchanged sessions cause no store writes', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store } })
  for (let i = 0; i < 5; i++) await app.browser().request(`${app.url}/profile`, { headers: { accept: 'text/html' } })
  t.equal(store.sets, 0, 'no writes for anonymous visitors')
  const b = app.browser()
  await app.signIn(b)
  const writes = store.sets
  for (let i = 0; i < 5; i++) t.equal((await b.request(`${app.url}/api/me`)).status, 200)
  t.equal(store.sets, writes, 'no writes while nothing changes')
})

t.test('idle timeout: an inactive session is signed out server-side', async (t) => {
  const clock = testClock()
  // A store on the real clock keeps the record: what ends the session is the plugin's own check.
  const app = await startApp(t, { clock, plugin: { store: new CountingStore() } })
  const { headers } = await app.signInAs()
  await clock.tick(23 * HOUR)
  t.equal((await me(app, headers)).statusCode, 200, 'active after 23 idle hours (and the activity is recorded)')
  await clock.tick(23 * HOUR)
  t.equal((await me(app, headers)).statusCode, 200, 'counted from the last activity')
  await clock.tick(24 * HOUR + 1)
  t.equal((await me(app, headers)).statusCode, 401, 'signed out after 24 idle hours')
  t.match(app.logs.join(''), /"reason":"idle-timeout"/)
})

t.test('absolute timeout: even an active session ends 7 days after sign-in', async (t) => {
  const clock = testClock()
  const app = await startApp(t, { clock })
  const { headers } = await app.signInAs()
  const statuses: number[] = []
  for (let hours = 20; hours <= 180; hours += 20) {
    await clock.tick(20 * HOUR)
    statuses.push((await me(app, headers)).statusCode)
  }
  t.same(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 401], 'kept alive by activity until 168 hours, then refused')
  t.match(app.logs.join(''), /"reason":"absolute-timeout"/)
})

t.test('a request that read the session before sign-out cannot write it back afterwards', async (t) => {
  const clock = testClock()
  const store = new GatedMemoryStore()
  const app = await startApp(t, { clock, plugin: { store } })
  const { headers, cookie } = await app.signInAs()
  const id = decodeURIComponent(/goauth\.sid=([^;.]+)/.exec(cookie)![1]!)
  await clock.tick(6 * MINUTE) // past the activity-recording interval: the next request records activity

  const read = store.hold('get', id)
  const slow = me(app, headers)
  await read.reached
  t.equal((await app.app.inject({ method: 'POST', url: '/logout', headers: { ...headers, 'sec-fetch-site': 'same-origin' } })).statusCode, 204)
  read.release()
  t.equal((await slow).statusCode, 401, 'this process knows the session ended: the read that was in flight does not count')
  t.notOk(store.has(id), 'the session stays gone from the store')
  t.equal((await me(app, headers)).statusCode, 401, 'the old cookie stays worthless')
})

t.test('a failing session store: 503 with a stable code, never the store\'s message; anonymous pages still work', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store } })
  const b = app.browser()
  await app.signIn(b)
  store.failing = true
  const response = await b.request(`${app.url}/api/me`, { headers: { accept: 'application/json' } })
  const text = await response.text()
  t.equal(response.status, 503)
  t.equal((JSON.parse(text) as { code: string }).code, 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE')
  t.notMatch(text, /ECONNREFUSED|secret detail/)
  t.equal((await app.browser().request(`${app.url}/`)).status, 200, 'a visitor without a session is served')

  const c = app.browser()
  const result = await c.navigate(`${app.url}/oauth2/google?returnTo=/profile`)
  t.equal(result.response.status, 503, 'a sign-in that cannot be saved fails cleanly')
  t.match(result.body, /FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE/)
  store.failing = false
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'service resumes when the store does')
})

t.test('a hanging session store answers 503 at the store deadline instead of hanging', async (t) => {
  const clock = testClock()
  const store = new CountingStore()
  const app = await startApp(t, { clock, plugin: { store } })
  const { headers } = await app.signInAs()
  store.hanging = true
  const reads = store.gets
  const pending = me(app, headers)
  while (store.gets === reads) await new Promise((resolve) => setImmediate(resolve))
  await clock.tick(2_000)
  const response = await pending
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE')
  store.hanging = false
})

t.test('uses the host\'s own @fastify/cookie and @fastify/session when registered', async (t) => {
  const app = await startApp(t, {
    async before (app) {
      await app.register(fastifyCookie)
      await app.register(fastifySession, { secret: SESSION_SECRET, cookieName: 'host.sid', cookie: { secure: false }, saveUninitialized: false })
    }
  })
  const b = app.browser()
  await app.signIn(b)
  t.ok(b.cookiesFor(app.url)['host.sid'], 'the host\'s cookie name is used')
  t.equal((await b.request(`${app.url}/api/me`)).status, 200)
  await b.submit(`${app.url}/logout`)
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'sign-out removes the user from the host\'s session')
})

t.test('secret rotation: the previous secret still verifies and its cookies are re-signed; dropped secrets are refused', async (t) => {
  const store = new CountingStore()
  const first = await startApp(t, { plugin: { store, secret: 'old-secret-old-secret-old-secret-0000' } })
  const b = first.browser()
  await first.signIn(b)
  const cookie = `goauth.sid=${b.cookiesFor(first.url)['goauth.sid']}`
  const rotated = await startApp(t, { plugin: { store, secret: ['new-secret-new-secret-new-secret-1111', 'old-secret-old-secret-old-secret-0000'] } })
  const response = await send(`${rotated.url}/api/me`, { headers: { cookie } })
  t.equal(response.status, 200, 'old signature accepted')
  const resigned = response.headers.getSetCookie().find((header) => header.startsWith('goauth.sid='))
  t.ok(resigned, 'the cookie is sent again, signed with the new secret')
  const newCookie = resigned!.split(';')[0]!
  t.equal(newCookie.split('.')[0], cookie.split('.')[0], 'same session id')
  t.match(resigned, /Expires=/, 'keeping its expiry')
  const again = await send(`${rotated.url}/api/me`, { headers: { cookie: newCookie } })
  t.same(again.headers.getSetCookie(), [], 'a current signature is not re-sent')
  const dropped = await startApp(t, { plugin: { store, secret: 'new-secret-new-secret-new-secret-1111' } })
  t.equal((await send(`${dropped.url}/api/me`, { headers: { cookie } })).status, 401, 'dropped secret refused')
  t.equal((await send(`${dropped.url}/api/me`, { headers: { cookie: newCookie } })).status, 200, 'the re-signed cookie works with the new secret alone')
})

t.test('a session cookie planted inside another cookie\'s value is never read (security checklist row 31)', async (t) => {
  const app = await startApp(t, { https: true })
  const attacker = app.browser()
  app.google.setAutoConsent('grace@example.com')
  await app.signIn(attacker)
  const forged = attacker.cookiesFor(app.url)['__Host-goauth.sid']!
  app.google.setAutoConsent('ada@example.com')
  const victim = app.browser()
  await app.signIn(victim)
  const own = victim.cookiesFor(app.url)['__Host-goauth.sid']!
  const asApi = (cookie: string) => send(`${app.url.replace('https:', 'http:')}/api/me`, {
    headers: { cookie, accept: 'application/json', 'x-forwarded-proto': 'https' }
  })

  // A sibling subdomain set `x=1 __Host-goauth.sid=<attacker's id>; Domain=…`: for the server it is cookie `x`.
  const anonymous = await asApi(`x=1 __Host-goauth.sid=${forged}`)
  t.equal(anonymous.status, 401, 'an anonymous victim is not signed in as the attacker')
  const signedIn = await asApi(`x=1 __Host-goauth.sid=${forged}; __Host-goauth.sid=${own}`)
  t.equal(signedIn.status, 200)
  t.equal((await signedIn.json() as { email: string }).email, 'ada@example.com', 'a signed-in victim keeps their own account')
  const garbage = await asApi(`x=1 __Host-goauth.sid=garbage; __Host-goauth.sid=${own}`)
  t.equal(garbage.status, 200, 'planted garbage locks nobody out')

  // Two real pairs of our name cannot both be ours (host-only, Path=/): neither is trusted.
  const twice = await asApi(`__Host-goauth.sid=${forged}; __Host-goauth.sid=${own}`)
  t.equal(twice.status, 401, 'a duplicated session cookie signs nobody in')
  t.match(app.logs.join(''), /"reason":"duplicate-session-cookie"/, 'and the log says why')
})

t.test('many sign-ins of one account never sign other users out of the default store', async (t) => {
  const app = await startApp(t, { plugin: { maxSessions: 8, maxSessionsPerUser: 3 } })
  app.google.setAutoConsent('grace@example.com')
  const grace = app.browser()
  await app.signIn(grace)
  app.google.setAutoConsent('ada@example.com')
  const adas = []
  for (let i = 0; i < 12; i++) {
    const browser = app.browser()
    await app.signIn(browser)
    adas.push(browser)
  }
  t.equal((await grace.request(`${app.url}/api/me`)).status, 200, 'grace is still signed in')
  const statuses = await Promise.all(adas.map(async (browser) => (await browser.request(`${app.url}/api/me`)).status))
  t.same(statuses, [...Array(9).fill(401), 200, 200, 200], 'ada keeps her three newest sessions')
})

t.test('a store that answers "not found" as ENOENT means signed out, not store down (security checklist row 36)', async (t) => {
  const app = await startApp(t, { plugin: { store: fileStore(t) } })
  const unknown = `goauth.sid=${new Signer([SESSION_SECRET], 'sha256').sign('an-id-the-store-never-saw')}`
  const response = await send(`${app.url}/api/me`, { headers: { cookie: unknown, accept: 'application/json' } })
  t.equal(response.status, 401, 'an unknown id is a signed-out visitor')
  t.equal((await response.json() as { code: string }).code, 'FST_GOOGLE_OAUTH_UNAUTHENTICATED')
  const b = app.browser()
  await app.signIn(b)
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'sign-in works on that store')
  t.equal((await b.submit(`${app.url}/logout`)).status, 303, 'and sign-out')
  t.equal((await b.request(`${app.url}/api/me`)).status, 401)
})

t.test('a sign-out the store could not record is not taken as done: trying again ends the session', async (t) => {
  class FailingOnce extends CountingStore {
    failNextDestroy = true
    override destroy (id: string, callback: (error?: unknown) => void): void {
      if (this.failNextDestroy) {
        this.failNextDestroy = false
        callback(new Error('connect ECONNREFUSED'))
        return
      }
      super.destroy(id, callback)
    }
  }
  const store = new FailingOnce()
  const app = await startApp(t, { plugin: { store } })
  const { headers, cookie } = await app.signInAs()
  const id = decodeURIComponent(/goauth\.sid=([^;.]+)/.exec(cookie)![1]!)
  const signOut = () => app.app.inject({ method: 'POST', url: '/logout', headers: { ...headers, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
  t.equal((await signOut()).statusCode, 503, 'the store failed: said so')
  t.ok(store.has(id), 'the session is still in the store')
  t.equal((await me(app, headers)).statusCode, 200, 'and still signed in, as the store says')
  t.equal((await signOut()).statusCode, 204, 'signed out on the second try')
  t.notOk(store.has(id), 'now gone from the store')
})
