import t from 'tap'
import { startApp, type TestApp } from '../fixtures/app.js'
import type { Browser } from '../fixtures/browser.js'
import { challengeOf, deviceKey, registrationAuthorization, registrationChallenge } from '../fixtures/device-key.js'
import { CLIENT_KINDS, pluginRedisStore, ready } from '../fixtures/redis.js'
import { eventually } from '../fixtures/wait.js'

/**
 * Device-bound sessions on two instances sharing the plugin's Redis store, each with a near cache
 * of a minute (only invalidations make them forget): whatever instance a step lands on, it sees
 * what the other did, and a challenge is used once across both.
 */
const COOKIE = '__Host-goauth.sid'
const REGISTER = '/oauth2/google/dbsc/register'
const REFRESH = '/oauth2/google/dbsc/refresh'

/** A request to `app` with exactly this session cookie (browsers share none between the two test apps' origins). */
const withCookie = (app: TestApp, cookie: string, path = '/api/me') => app.browser().request(`${app.url}${path}`, { headers: { cookie: `${COOKIE}=${cookie}` } })
const cookieSet = (response: Response): string | null => {
  const line = response.headers.getSetCookie().find((header) => header.startsWith(`${COOKIE}=`))
  return line === undefined ? null : line.slice(COOKIE.length + 1, line.indexOf(';'))
}
const post = (app: TestApp, browser: Browser, path: string, headers: Record<string, string>) => browser.request(`${app.url}${path}`, { method: 'POST', headers })

for (const kind of CLIENT_KINDS) {
  t.test(`the plugin's Redis store (${kind}): bound on A, refused unbound and renewed on B, each challenge used once`, async (t) => {
    const shared = pluginRedisStore(t, { client: kind, nearCache: { ttl: 60_000 } })
    const other = pluginRedisStore(t, { client: kind, prefix: shared.prefix, nearCache: { ttl: 60_000 } })
    await ready(shared.client)
    const a = await startApp(t, { https: true, plugin: { store: shared.store, deviceBound: true } })
    const b = await startApp(t, { https: true, sharedGoogle: a.google, plugin: { store: other.store, deviceBound: true } })
    await eventually(async () => (await shared.client.zrange(`${shared.prefix}instances`, 0, -1)).length === 2, 'both instances listed')

    const browser = a.browser()
    const callback = await a.callbackFromGoogle(browser)
    const signedIn = await browser.request(callback.href)
    const header = signedIn.headers.get('secure-session-registration')
    const longLived = cookieSet(signedIn)!
    t.equal((await withCookie(b, longLived)).status, 200, 'B holds the unbound session in its near cache')

    const key = await deviceKey()
    const registered = await post(a, a.browser(), REGISTER, { 'secure-session-response': await key.registration(registrationChallenge(header)!, {}, registrationAuthorization(header)) })
    t.equal(registered.status, 200)
    const { session_identifier: id } = await registered.json() as { session_identifier: string }
    const bound = cookieSet(registered)!
    t.equal((await withCookie(b, longLived)).status, 401, 'right after the answer, B no longer takes the long-lived cookie')
    t.equal((await withCookie(b, bound)).status, 200, 'and takes the bound one')

    const asked = await post(b, b.browser(), REFRESH, { 'sec-secure-session-id': id })
    t.equal(asked.status, 403, 'B sends a challenge')
    const proof = await key.refresh(challengeOf(asked.headers.get('secure-session-challenge'))!.challenge)
    const renewed = await post(a, a.browser(), REFRESH, { 'sec-secure-session-id': id, 'secure-session-response': proof })
    t.equal(renewed.status, 200, 'A takes the proof of B\'s challenge')
    t.equal((await withCookie(b, cookieSet(renewed)!)).status, 200, 'B takes the renewed cookie')
    const replayed = await post(b, b.browser(), REFRESH, { 'sec-secure-session-id': id, 'secure-session-response': proof })
    t.equal(replayed.status, 403, 'the same proof on B is refused: the challenge was used')
    t.equal(cookieSet(replayed), null, 'and sets no cookie')
  })
}
