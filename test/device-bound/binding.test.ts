import t, { type Test } from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import { startApp, type TestApp } from '../fixtures/app.js'
import type { Browser } from '../fixtures/browser.js'
import { MINUTE, testClock, type TestClock } from '../fixtures/clock.js'
import { fileStore } from '../fixtures/file-store.js'
import { GatedStore } from '../fixtures/gated-store.js'
import { hostSession } from '../fixtures/host-session.js'
import { challengeOf, deviceKey, registrationAuthorization, registrationChallenge, type DeviceKeyPair } from '../fixtures/device-key.js'

const REGISTER = '/oauth2/google/dbsc/register'
const REFRESH = '/oauth2/google/dbsc/refresh'

interface Bench {
  app: TestApp
  clock: TestClock
  events: GoogleOAuthEvent[]
}

async function bench (t: Test, plugin: Record<string, unknown> = {}): Promise<Bench> {
  const clock = testClock()
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, {
    https: true,
    clock,
    plugin: { deviceBound: true, onEvent: (event) => { events.push(event) }, ...plugin },
    routes: (fastify) => {
      fastify.get('/api/sensitive', { preHandler: [fastify.googleOAuth.requireDeviceBound] }, async () => ({ sensitive: true }))
      fastify.get('/api/bound', { preHandler: [fastify.googleOAuth.authenticate] }, async (request) => ({ bound: fastify.googleOAuth.isDeviceBound(request) }))
    }
  })
  return { app, clock, events }
}

/** Signs `browser` in and returns the sign-in answer's registration challenge and the long-lived cookie. */
async function signIn (app: TestApp, browser: Browser): Promise<{ challenge: string, header: string, cookie: string }> {
  const callback = await app.callbackFromGoogle(browser)
  const answer = await browser.request(callback.href)
  const header = answer.headers.get('secure-session-registration') ?? ''
  const challenge = registrationChallenge(header)
  if (answer.status !== 303 || challenge === null) throw new Error(`sign-in answered ${answer.status} without a registration (${header})`)
  return { challenge, header, cookie: sessionCookie(browser, app) }
}

/** On https the session cookie is `__Host-goauth.sid`. */
const COOKIE = '__Host-goauth.sid'

const sessionCookie = (browser: Browser, app: TestApp): string => browser.cookiesFor(`${app.url}/`)[COOKIE] ?? ''

/** The registration POST, as Chromium sends it: the session cookie and the proof. */
const register = (app: TestApp, browser: Browser, proof: string) =>
  browser.request(`${app.url}${REGISTER}`, { method: 'POST', headers: { 'secure-session-response': proof } })

const refresh = (app: TestApp, browser: Browser, id: string, proof?: string) =>
  browser.request(`${app.url}${REFRESH}`, { method: 'POST', headers: { 'sec-secure-session-id': id, ...(proof !== undefined && { 'secure-session-response': proof }) } })

/** A signed-in browser whose session is bound to `key`: the session identifier and the cookie it started with. */
async function bound (app: TestApp, browser: Browser, key: DeviceKeyPair): Promise<{ id: string, longLived: string }> {
  const { challenge, cookie } = await signIn(app, browser)
  const answer = await register(app, browser, await key.registration(challenge))
  if (answer.status !== 200) throw new Error(`registration answered ${answer.status}: ${await answer.text()}`)
  const instructions = await answer.json() as { session_identifier: string }
  return { id: instructions.session_identifier, longLived: cookie }
}

/** A request with exactly this session cookie, from a client that is not the browser (a copy). */
const withCookie = (app: TestApp, cookie: string, path = '/api/me') => app.browser().request(`${app.url}${path}`, { headers: { cookie: `${COOKIE}=${cookie}` } })

t.test('the sign-in answer asks the browser to register a key, for ES256 or RS256, at the register route', async (t) => {
  const { app } = await bench(t)
  const { header, challenge } = await signIn(app, app.browser())
  t.match(header, /^\(ES256 RS256\);path="\/oauth2\/google\/dbsc\/register";challenge="[\w-]{43}";authorization="[\w-]+\.[\w-]{22}"$/)
  const other = await signIn(app, app.browser())
  t.not(other.challenge, challenge, 'each sign-in gets its own random challenge')
})

t.test('registration: the key is stored, the long-lived cookie is replaced by a bound one the guard accepts', async (t) => {
  const { app, events } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { challenge, cookie: longLived } = await signIn(app, browser)
  t.equal((await browser.request(`${app.url}/api/bound`)).status, 200)
  t.same(await (await browser.request(`${app.url}/api/bound`)).json(), { bound: false }, 'not bound before it registers')

  const answer = await register(app, browser, await key.registration(challenge))
  t.equal(answer.status, 200)
  const instructions = await answer.json() as Record<string, unknown>
  t.match(instructions, {
    session_identifier: /^[\w-]+\.[\w-]{22}$/,
    refresh_url: REFRESH,
    scope: { include_site: false },
    credentials: [{ type: 'cookie', name: COOKIE, attributes: 'Path=/; HttpOnly; Secure; SameSite=Lax' }]
  })
  t.ok(longLived.length > 40, 'the long-lived cookie was set')
  t.not(instructions.session_identifier, decodeURIComponent(longLived), 'the session identifier is not the cookie')
  const line = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`))!
  t.match(line, /^__Host-goauth\.sid=[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/, 'a 10-minute cookie with exactly the attributes the instructions name')
  t.same(await (await browser.request(`${app.url}/api/bound`)).json(), { bound: true })
  t.equal((await withCookie(app, longLived)).status, 401, 'the long-lived cookie, copied before, no longer counts')
  t.match(events.filter((event) => event.type === 'session-bound'), [{ type: 'session-bound', algorithm: 'ES256', userId: /\d+/ }])
})

t.test('a bound cookie copied to another client stops working once its time is up; the browser renews it with a proof', async (t) => {
  const { app, clock } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { id } = await bound(app, browser, key)
  const stolen = sessionCookie(browser, app)
  t.equal((await withCookie(app, stolen)).status, 200, 'the copy works while the cookie counts')
  await clock.tick(10 * MINUTE + 1)
  t.equal((await withCookie(app, stolen)).status, 401, 'the copy is refused after 10 minutes, whatever the copy says of its expiry')
  t.equal((await browser.request(`${app.url}/api/me`)).status, 401, 'so is the browser\'s own, until it refreshes')

  // The browser's refresh: a challenge first, then its proof.
  const first = await refresh(app, browser, id)
  t.equal(first.status, 403)
  t.match(await first.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_PROOF_REQUIRED' })
  const sent = challengeOf(first.headers.get('secure-session-challenge'))
  t.ok(sent, 'the challenge comes in Secure-Session-Challenge: "<challenge>";id="<session id>"')
  t.equal(sent!.id, id)
  t.notOk(first.headers.getSetCookie().some((cookie) => cookie.startsWith(`${COOKIE}=`)), 'no cookie without a proof')

  const renewed = await refresh(app, browser, id, await key.refresh(sent!.challenge))
  t.equal(renewed.status, 200)
  t.match(await renewed.json(), { session_identifier: id, refresh_url: REFRESH })
  t.equal((await browser.request(`${app.url}/api/me`)).status, 200, 'the browser works again')
  t.equal((await withCookie(app, stolen)).status, 401, 'the old copy stays refused')
  const ahead = challengeOf(renewed.headers.get('secure-session-challenge'))
  t.ok(ahead, 'the next challenge comes ahead, with the fresh cookie')

  // Next time, the challenge sent ahead is signed at once: one round trip.
  await clock.tick(10 * MINUTE + 1)
  const quick = await refresh(app, browser, id, await key.refresh(ahead!.challenge))
  t.equal(quick.status, 200)
  t.equal((await browser.request(`${app.url}/api/me`)).status, 200)
})

t.test('header values are taken quoted (as the draft says) and bare (as Chromium sends them)', async (t) => {
  const { app } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { challenge } = await signIn(app, browser)
  const answer = await register(app, browser, `"${await key.registration(challenge)}"`)
  t.equal(answer.status, 200, 'a quoted registration proof')
  const { session_identifier: id } = await answer.json() as { session_identifier: string }
  const first = await refresh(app, browser, `"${id}"`)
  t.equal(first.status, 403, 'a quoted session identifier')
  const sent = challengeOf(first.headers.get('secure-session-challenge'))!
  t.equal((await refresh(app, browser, id, `"${await key.refresh(sent.challenge)}"`)).status, 200, 'a quoted refresh proof')
})

t.test('forged, replayed and mismatched proofs are refused and never set a cookie', async (t) => {
  const { app, events } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { id } = await bound(app, browser, key)
  const challenge = async (): Promise<string> => challengeOf((await refresh(app, browser, id)).headers.get('secure-session-challenge'))!.challenge
  const refused = async (proof: string, code: string, message: string) => {
    const answer = await refresh(app, browser, id, proof)
    t.match({ status: answer.status, body: await answer.json() }, { status: code === 'DEVICE_PROOF_INVALID' ? 401 : code === 'DEVICE_BINDING_MALFORMED' ? 400 : 403, body: { code: `FST_GOOGLE_OAUTH_${code}` } }, message)
    t.notOk(answer.headers.getSetCookie().some((cookie) => cookie.startsWith(`${COOKIE}=`)), `${message}: no cookie`)
  }

  await refused(await (await deviceKey()).refresh(await challenge()), 'DEVICE_PROOF_INVALID', 'signed by another key')
  const swapped = await deviceKey()
  await refused(await swapped.registration(await challenge()), 'DEVICE_PROOF_INVALID', 'signed by another key that the proof carries (a swapped key)')
  const good = await key.refresh(await challenge())
  const [head, body, signature] = good.split('.')
  await refused(`${head}.${Buffer.from(JSON.stringify({ jti: 'another' })).toString('base64url')}.${signature}`, 'DEVICE_PROOF_INVALID', 'a changed payload')
  await refused(`${head}.${body}.${signature!.slice(0, -4)}AAAA`, 'DEVICE_PROOF_INVALID', 'a changed signature')
  t.equal((await refresh(app, browser, id, good)).status, 200, 'the genuine proof, then')
  await refused(good, 'DEVICE_CHALLENGE_INVALID', 'the same proof again (replayed)')
  await refused(await key.refresh('a-challenge-never-sent-aaaaaaaaaaaaaaaaaaaaaaa'), 'DEVICE_CHALLENGE_INVALID', 'a challenge never sent')
  await refused('not-a-jws', 'DEVICE_BINDING_MALFORMED', 'not a JWS')
  await refused(`${Buffer.from('{"alg":"none","typ":"dbsc+jwt"}').toString('base64url')}.${body}.`, 'DEVICE_PROOF_INVALID', 'alg none')
  await refused(await key.refresh(await challenge(), { typ: 'JWT' }), 'DEVICE_PROOF_INVALID', 'another typ')
  t.ok(events.some((event) => event.type === 'session-refresh-refused' && event.reason === 'proof-signature'), 'a session-refresh-refused event says why')
  t.ok(events.some((event) => event.type === 'session-refresh-refused' && event.reason === 'challenge-invalid'))
})

t.test('a challenge is short-lived and bound to its session', async (t) => {
  const { app, clock } = await bench(t)
  const ada = app.browser()
  const key = await deviceKey()
  const { challenge: adaChallenge } = await signIn(app, ada)
  await clock.tick(2 * MINUTE + 1)
  const late = await register(app, ada, await key.registration(adaChallenge))
  t.equal(late.status, 403, 'a registration after the challenge expired')
  t.match(await late.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_CHALLENGE_INVALID' })

  const other = app.browser()
  const { challenge: otherChallenge } = await signIn(app, other)
  const { challenge: mine } = await signIn(app, ada)
  const crossed = await register(app, ada, await key.registration(otherChallenge))
  t.equal(crossed.status, 403, 'another session\'s challenge')
  t.equal((await register(app, ada, await key.registration(mine))).status, 200, 'its own challenge')

  // Refresh: a challenge sent for the session, answered after it expired.
  const { session_identifier: id } = await (await register(app, other, await key.registration(otherChallenge))).json() as { session_identifier: string }
  t.ok(id, 'the other browser binds too')
  const sent = challengeOf((await refresh(app, other, id)).headers.get('secure-session-challenge'))!
  await clock.tick(2 * MINUTE + 1)
  const stale = await refresh(app, other, id, await key.refresh(sent.challenge))
  t.equal(stale.status, 403)
  t.ok(challengeOf(stale.headers.get('secure-session-challenge')), 'with a new challenge to sign')
})

t.test('the key registered first is the only one: a second registration is refused, the key unchanged', async (t) => {
  const { app } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { id } = await bound(app, browser, key)
  const thief = await deviceKey()
  const again = await register(app, browser, await thief.registration('any'))
  t.equal(again.status, 409)
  t.match(await again.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_ALREADY_BOUND' })
  const sent = challengeOf((await refresh(app, browser, id)).headers.get('secure-session-challenge'))!
  t.equal((await refresh(app, browser, id, await thief.refresh(sent.challenge))).status, 401, 'the other key\'s proof is refused')
  t.equal((await refresh(app, browser, id, await key.refresh(sent.challenge))).status, 200, 'the registered key\'s is taken')
})

t.test('only ES256 and RS256 keys of 2048 bits or more', async (t) => {
  const { app } = await bench(t)
  for (const [alg, modulusLength, status] of [['ES256', undefined, 200], ['RS256', 2048, 200], ['RS256', 1024, 401], ['ES384', undefined, 401], ['PS256', 2048, 401], ['EdDSA', undefined, 401]] as const) {
    const browser = app.browser()
    const { challenge } = await signIn(app, browser)
    const key = await deviceKey(alg, { ...(modulusLength !== undefined && { modulusLength }) })
    const answer = await register(app, browser, await key.registration(challenge))
    t.equal(answer.status, status, `${alg}${modulusLength === undefined ? '' : ` (${modulusLength} bits)`}`)
  }
  const browser = app.browser()
  const { challenge } = await signIn(app, browser)
  const key = await deviceKey()
  t.equal((await register(app, browser, await key.registration(challenge, { jwk: null }))).status, 401, 'a registration without its key')
  const [, payload, signature] = (await key.registration(challenge)).split('.')
  const claimedRsa = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'dbsc+jwt', jwk: key.publicJwk })).toString('base64url')
  t.equal((await register(app, browser, `${claimedRsa}.${payload}.${signature}`)).status, 401, 'an EC key claimed as RS256')
})

t.test('a refresh for a session that ended tells the browser to stop; bad identifiers are 400', async (t) => {
  const { app } = await bench(t)
  const browser = app.browser()
  const { id } = await bound(app, browser, await deviceKey())
  t.equal((await refresh(app, browser, 'forged-session-identifier')).status, 400)
  const [sessionId, tag] = id.split('.')
  t.equal((await refresh(app, browser, `${sessionId}.${tag!.slice(1)}A`)).status, 400, 'an identifier whose MAC does not match')
  t.equal((await refresh(app, browser, `x${sessionId}.${tag}`)).status, 400, 'another session id under the same MAC')
  t.equal((await browser.request(`${app.url}${REFRESH}`, { method: 'POST' })).status, 400, 'no identifier')
  await app.app.googleOAuth.signOutEverywhere((await (await browser.request(`${app.url}/api/me`)).json() as { id: string }).id)
  const answer = await refresh(app, browser, id)
  t.equal(answer.status, 200)
  t.same(await answer.json(), { continue: false })
})

t.test('a browser that never registers keeps today\'s session: the long-lived cookie, unchanged', async (t) => {
  const { app, clock } = await bench(t)
  const browser = app.browser()
  const { cookie } = await signIn(app, browser)
  const line = browser.setCookieHeaders.find((header) => header.startsWith(`${COOKIE}=${cookie}`))!
  t.match(line, /Expires=/, 'the usual cookie, until the absolute timeout')
  t.notMatch(line, /Max-Age=600/)
  await clock.tick(60 * MINUTE)
  t.equal((await browser.request(`${app.url}/api/me`)).status, 200, 'an hour later it still works')
  t.same(await (await browser.request(`${app.url}/api/bound`)).json(), { bound: false })
})

t.test('requireDeviceBound: a bound session passes; an unbound one gets 403 DEVICE_BOUND_REQUIRED', async (t) => {
  const { app } = await bench(t)
  const plain = app.browser()
  await signIn(app, plain)
  const refused = await plain.request(`${app.url}/api/sensitive`)
  t.equal(refused.status, 403)
  t.match(await refused.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_BOUND_REQUIRED' })
  t.equal((await app.browser().request(`${app.url}/api/sensitive`)).status, 401, 'signed out: 401 as authenticate says')
  const browser = app.browser()
  await bound(app, browser, await deviceKey())
  t.equal((await browser.request(`${app.url}/api/sensitive`)).status, 200)
  const sessions = await app.app.googleOAuth.sessionsOf((await (await browser.request(`${app.url}/api/me`)).json() as { id: string }).id)
  t.same(sessions.map((session) => session.deviceBound).sort(), [false, true], 'the devices list says which session is bound')
})

t.test('misuse fails at startup, saying what to do', async (t) => {
  await t.rejects(startApp(t, { plugin: { deviceBound: true } }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /deviceBound needs the app on https/ }, 'plain http')
  await t.rejects(startApp(t, { https: true, plugin: { deviceBound: { cookieLifetime: 0 } } }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /cookieLifetime must be a whole number/ }, 'a lifetime of 0')
  await t.rejects(startApp(t, { https: true, plugin: { deviceBound: { cookieLifeTime: 1 } as never } }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION' }, 'an unknown setting')
  await t.rejects(startApp(t, { https: true, before: hostSession(), plugin: { deviceBound: true } }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /deviceBound needs the plugin's own sessions/ }, 'the app\'s own @fastify/session')
  await t.rejects(startApp(t, { routes: (app) => { app.get('/x', { preHandler: [app.googleOAuth.requireDeviceBound] }, async () => 'x') } }),
    { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /requireDeviceBound guards GET \/x, but it needs the option deviceBound: true/ }, 'requireDeviceBound without the option')
  const plain = await startApp(t)
  t.equal((await plain.browser().request(`${plain.url}${REGISTER}`, { method: 'POST' })).status, 404, 'without the option the routes do not exist')
})

t.test('the proof\'s authorization names the session, so a registration without the cookie binds it too (as after a cross-site redirect)', async (t) => {
  const { app } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { challenge, header } = await signIn(app, browser)
  const authorization = registrationAuthorization(header)!
  const cookieless = app.browser()
  const forged = await register(app, cookieless, await key.registration(challenge, {}, `x${authorization}`))
  t.equal(forged.status, 400, 'an authorization that is not one the plugin gave')
  t.match(await forged.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_BINDING_MALFORMED' })
  const answer = await register(app, cookieless, await key.registration(challenge, {}, authorization))
  t.equal(answer.status, 200)
  const line = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`))!
  const bound = line.slice(COOKIE.length + 1, line.indexOf(';'))
  t.equal((await withCookie(app, bound)).status, 200, 'the bound cookie it sets opens the session')
  t.equal((await browser.request(`${app.url}/api/me`)).status, 401, 'and the browser\'s long-lived cookie no longer does')
})

t.test('with another @fastify/session store (files), a session binds and renews the same way', async (t) => {
  const { app, clock } = await bench(t, { store: fileStore(t) })
  const browser = app.browser()
  const key = await deviceKey()
  const { id, longLived } = await bound(app, browser, key)
  t.equal((await withCookie(app, longLived)).status, 401, 'the long-lived cookie no longer counts')
  await clock.tick(10 * MINUTE + 1)
  const sent = challengeOf((await refresh(app, browser, id)).headers.get('secure-session-challenge'))!
  const proof = await key.refresh(sent.challenge)
  t.equal((await refresh(app, browser, id, proof)).status, 200)
  t.equal((await browser.request(`${app.url}/api/me`)).status, 200)
  t.equal((await refresh(app, browser, id, proof)).status, 403, 'the challenge is used once')
})

const setsCookie = (response: Response): boolean => response.headers.getSetCookie().some((cookie) => cookie.startsWith(`${COOKIE}=`))

t.test('refused registrations set no cookie and say why, with the plugin\'s error body only', async (t) => {
  const { app, clock } = await bench(t)
  const key = await deviceKey()
  const refusals: Array<[string, Response, number, string]> = []
  const late = app.browser()
  const { challenge: lateChallenge } = await signIn(app, late)
  await clock.tick(2 * MINUTE + 1)
  refusals.push(['an expired challenge', await register(app, late, await key.registration(lateChallenge)), 403, 'DEVICE_CHALLENGE_INVALID'])
  const ada = app.browser()
  const grace = app.browser()
  const adaIn = await signIn(app, ada)
  const graceIn = await signIn(app, grace)
  refusals.push(['another session\'s challenge', await register(app, ada, await key.registration(graceIn.challenge)), 403, 'DEVICE_CHALLENGE_INVALID'])
  refusals.push(['another key\'s signature', await register(app, ada, (await key.registration(adaIn.challenge)).replace(/\.[^.]+$/, `.${'A'.repeat(86)}`)), 401, 'DEVICE_PROOF_INVALID'])
  refusals.push(['a session named by its authorization while signed in to another one', await register(app, ada, await key.registration(graceIn.challenge, {}, registrationAuthorization(graceIn.header))), 400, 'DEVICE_BINDING_MALFORMED'])
  refusals.push(['no proof', await ada.request(`${app.url}${REGISTER}`, { method: 'POST' }), 400, 'DEVICE_BINDING_MALFORMED'])
  refusals.push(['signed out', await register(app, app.browser(), await key.registration(adaIn.challenge)), 401, 'UNAUTHENTICATED'])
  t.equal((await register(app, ada, await key.registration(adaIn.challenge))).status, 200, 'Ada\'s own proof, after all that')
  refusals.push(['a second registration', await register(app, ada, await (await deviceKey()).registration(adaIn.challenge)), 409, 'DEVICE_ALREADY_BOUND'])
  for (const [what, response, status, code] of refusals) {
    const body = await response.json() as Record<string, unknown>
    t.same({ status: response.status, code: body.code, keys: Object.keys(body).sort(), cookie: setsCookie(response) },
      { status, code: `FST_GOOGLE_OAUTH_${code}`, keys: ['code', 'error', 'message', 'statusCode'], cookie: false }, what)
  }
})

t.test('a refresh for a session that is not bound gets no challenge', async (t) => {
  const { app, events } = await bench(t)
  const browser = app.browser()
  const { header } = await signIn(app, browser)
  const answer = await refresh(app, browser, registrationAuthorization(header)!)
  t.equal(answer.status, 400)
  t.match(await answer.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_BINDING_MALFORMED' })
  t.equal(answer.headers.get('secure-session-challenge'), null)
  t.ok(events.some((event) => event.type === 'session-refresh-refused' && event.reason === 'not-bound'))
})

t.test('asking for a challenge again sends the pending one: it writes nothing and cannot push the device\'s out', async (t) => {
  const { app } = await bench(t)
  const browser = app.browser()
  const key = await deviceKey()
  const { id } = await bound(app, browser, key)
  const first = challengeOf((await refresh(app, browser, id)).headers.get('secure-session-challenge'))!
  const again = challengeOf((await refresh(app, app.browser(), id)).headers.get('secure-session-challenge'))!
  t.equal(again.challenge, first.challenge, 'the same challenge')
  t.equal((await refresh(app, browser, id, await key.refresh(first.challenge))).status, 200, 'which the device then answers')
})

t.test('a bound cookie never outlives its session', async (t) => {
  const { app } = await bench(t, { absoluteTimeout: 4 * MINUTE, idleTimeout: 4 * MINUTE })
  const browser = app.browser()
  const { challenge } = await signIn(app, browser)
  const answer = await register(app, browser, await (await deviceKey()).registration(challenge))
  const line = answer.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE}=`))!
  t.match(line, /Max-Age=240;/, 'four minutes, the session\'s end, not ten')
})

t.test('a rotation of secret keeps bound sessions: the identifier the browser knows, the bound cookie re-signed with its end', async (t) => {
  const store = fileStore(t)
  const clock = testClock()
  const OLD = 'the-secret-before-the-rotation-0123456789'
  const NEW = 'the-secret-after-the-rotation-01234567890'
  const before = await startApp(t, { https: true, clock, plugin: { deviceBound: true, store, secret: OLD } })
  const browser = before.browser()
  const key = await deviceKey()
  const { id } = await bound(before, browser, key)
  const cookie = sessionCookie(browser, before)
  const after = await startApp(t, { https: true, clock, sharedGoogle: before.google, plugin: { deviceBound: true, store, secret: [NEW, OLD] } })
  const opened = await withCookie(after, cookie)
  t.equal(opened.status, 200, 'the bound cookie signed with the old secret opens the session')
  t.match(opened.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`)), /Max-Age=|Expires=/, 're-signed with the new one')
  const asked = await refresh(after, after.browser(), id)
  t.equal(challengeOf(asked.headers.get('secure-session-challenge'))!.id, id, 'the challenge names the session as the browser knows it')
  const renewed = await refresh(after, after.browser(), id, await key.refresh(challengeOf(asked.headers.get('secure-session-challenge'))!.challenge))
  t.equal(renewed.status, 200)
  t.match(await renewed.json(), { session_identifier: id }, 'the same session identifier')
})

t.test('a request that read the session before it was bound does not write the key away (a store without atomic writes)', async (t) => {
  const store = new GatedStore(fileStore(t))
  const { app, clock } = await bench(t, { store, deviceBound: { challengeLifetime: 10 * MINUTE } })
  const browser = app.browser()
  const key = await deviceKey()
  const { challenge, cookie: longLived } = await signIn(app, browser)
  const id = decodeURIComponent(longLived).split('.')[0]!
  await clock.tick(5 * MINUTE + 1)
  // A request reads the record (unbound) now, and gets the answer only after the device bound the session.
  const held = store.hold('get', id)
  const early = withCookie(app, longLived)
  await held.reached
  const answer = await register(app, browser, await key.registration(challenge))
  t.equal(answer.status, 200)
  const bound = answer.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`))!.split(';')[0]!.slice(COOKIE.length + 1)
  held.release()
  t.equal((await early).status, 200, 'the early request went on as it began (signed in)')
  // It recorded activity from its copy: the key found in the store was kept.
  t.equal((await withCookie(app, longLived)).status, 401, 'the long-lived cookie still does not count')
  t.equal((await withCookie(app, bound)).status, 200, 'the bound cookie does')
})

t.test('a stored device key that no longer imports refuses the refresh with a 401, never a 500', async (t) => {
  const store = fileStore(t)
  const { app } = await bench(t, { store })
  const browser = app.browser()
  const key = await deviceKey()
  const { id } = await bound(app, browser, key)
  const sessionId = id.split('.')[0]!
  const stored = await new Promise<Record<string, unknown>>((resolve) => store.get(sessionId, (_error, value) => resolve(value as unknown as Record<string, unknown>)))
  const deviceKeyOf = stored.googleDeviceKey as { jwk: Record<string, string> }
  await new Promise<void>((resolve) => store.set(sessionId, { ...stored, googleDeviceKey: { ...deviceKeyOf, jwk: { ...deviceKeyOf.jwk, x: 'not-a-point' } } } as never, () => resolve()))
  const sent = challengeOf((await refresh(app, browser, id)).headers.get('secure-session-challenge'))!
  const answer = await refresh(app, browser, id, await key.refresh(sent.challenge))
  t.equal(answer.status, 401)
  t.match(await answer.json(), { code: 'FST_GOOGLE_OAUTH_DEVICE_PROOF_INVALID' })
  t.notOk(setsCookie(answer), 'no cookie')
})
