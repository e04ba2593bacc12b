import type { Server } from 'node:http'
import { createServer, request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildExample } from '../example/app.js'
import { readConfig } from '../example/config.js'
import { haveChromium, launchChromium } from './fixtures/chromium.js'
import { haveCertutil, trustedTls, type TrustedTls } from './fixtures/trusted-tls.js'
import { until } from './fixtures/wait.js'

/** Chromium 156 binds sessions only with these features (software keys: for tests only) and a trusted https page. */
const DBSC_FLAGS = '--enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting,DeviceBoundSessions:RefreshQuota/false'
/** The session cookie on https. */
const COOKIE = '__Host-goauth.sid'
/** A bound cookie's lifetime in these tests (the default is 10 minutes). */
const LIFETIME = 5_000

/** What DevTools reports of device-bound sessions (Network.deviceBoundSessionEventOccurred). */
interface DbscEvent {
  succeeded: boolean
  creationEventDetails?: { fetchResult: string }
  refreshEventDetails?: { refreshResult: string }
}

/** The example over https on localhost, with the trusted certificate. */
async function startExample (t: Test, tls: TrustedTls): Promise<{ base: string, app: Awaited<ReturnType<typeof buildExample>>['app'] }> {
  const server = createServer({ cert: tls.cert, key: tls.key })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const base = `https://localhost:${port}`
  const { app } = await buildExample(readConfig({ PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: base }, '/nonexistent'), { logger: false, server: server as unknown as Server, boundCookieLifetime: LIFETIME })
  t.teardown(() => app.close())
  await app.ready()
  return { base, app }
}

/** A request from another client (not the browser) with exactly this session cookie: its status. */
function replay (url: string, cookie: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ca, headers: { cookie: `${COOKIE}=${cookie}`, accept: 'application/json' } }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('error', reject).end()
  })
}

/** Signs the page in as Ada through the fake Google's chooser; returns her Google account id. */
async function signInAda (page: Page, base: string): Promise<string> {
  await page.goto(`${base}/login?returnTo=%2Fprofile`)
  await page.getByRole('link', { name: 'Sign in with Google' }).click()
  await page.getByRole('button', { name: /Ada Lovelace/ }).click()
  await page.waitForURL(`${base}/profile`)
  // (The example's pages allow no script requests: the JSON is opened as a page.)
  const me = await page.goto(`${base}/api/me`)
  return ((await me!.json()) as { id: string }).id
}

const sessionCookie = async (context: BrowserContext, base: string) => (await context.cookies(base)).find((cookie) => cookie.name === COOKIE)

if (haveChromium()) {
  if (!haveCertutil()) {
    if (process.env.CI) t.fail('certutil not found; .ci/run installs Debian\'s libnss3-tools')
    else t.plan(0, 'certutil not found (apt-get install libnss3-tools); the device-bound browser test runs in CI')
  } else {
    t.test('Chromium binds the session to its key: a copied cookie dies, the browser renews its own', async (t) => {
      const tls = trustedTls(t)
      const { base, app } = await startExample(t, tls)
      const browser: Browser = await launchChromium(t, [DBSC_FLAGS], { env: { ...process.env, HOME: tls.home } })
      const context = await browser.newContext()
      const page = await context.newPage()
      const cdp: CDPSession = await context.newCDPSession(page)
      const events: DbscEvent[] = []
      cdp.on('Network.deviceBoundSessionEventOccurred', (event: DbscEvent) => { events.push(event) })
      await cdp.send('Network.enableDeviceBoundSessions' as never, { enable: true } as never)

      const adaId = await signInAda(page, base)
      await until(() => events.some((event) => event.creationEventDetails?.fetchResult === 'Success'), 'Chromium to register its key')
      t.ok(events.find((event) => event.creationEventDetails !== undefined)?.succeeded, 'DevTools: the session was registered')
      t.same((await app.googleOAuth.sessionsOf(adaId)).map((session) => session.deviceBound), [true], 'the server: the session is bound')
      await page.goto(`${base}/devices`)
      t.match(await page.locator('.devices li').first().textContent(), /Bound to this device/, 'the devices page says so')

      const stolen = (await sessionCookie(context, base))!.value
      t.equal(await replay(`${base}/api/me`, stolen, tls.ca), 200, 'a copy of the cookie works while it counts')
      await new Promise((resolve) => setTimeout(resolve, LIFETIME + 500))
      t.equal(await replay(`${base}/api/me`, stolen, tls.ca), 401, 'then the copy, replayed from another client, is refused')

      // The browser itself renews its cookie with a proof of its key, and stays signed in.
      await page.goto(`${base}/profile`)
      t.equal(new URL(page.url()).pathname, '/profile', 'the real browser keeps working')
      await until(() => events.some((event) => event.refreshEventDetails?.refreshResult === 'Refreshed'), 'Chromium to refresh')
      t.ok(events.some((event) => event.refreshEventDetails?.refreshResult === 'Refreshed' && event.succeeded), 'DevTools: the session was refreshed')
      const renewed = (await sessionCookie(context, base))!.value
      t.not(renewed, stolen, 'with a new cookie')
      t.equal(await replay(`${base}/api/me`, stolen, tls.ca), 401, 'the copy stays refused')
    })

    t.test('a browser without device-bound sessions signs in and stays signed in as before', async (t) => {
      const tls = trustedTls(t)
      const { base, app } = await startExample(t, tls)
      const browser = await launchChromium(t, [], { env: { ...process.env, HOME: tls.home } })
      const context = await browser.newContext()
      const page = await context.newPage()
      const adaId = await signInAda(page, base)
      const cookie = (await sessionCookie(context, base))!
      t.ok(cookie.expires * 1000 > Date.now() + 24 * 60 * 60_000, 'the usual long-lived cookie')
      await new Promise((resolve) => setTimeout(resolve, LIFETIME + 500))
      await page.goto(`${base}/profile`)
      t.equal(new URL(page.url()).pathname, '/profile', 'still signed in after a bound cookie would have expired')
      t.same((await app.googleOAuth.sessionsOf(adaId)).map((session) => session.deviceBound), [false], 'the server: not bound')
    })
  }
}
