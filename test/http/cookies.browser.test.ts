import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import type { BrowserContext, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import googleOAuth from '../../src/index.js'
import { startFakeGoogle, type FakeGoogle } from '../../src/testing/index.js'
import { CLIENT_ID, CLIENT_SECRET, SESSION_SECRET } from '../fixtures/app.js'
import { haveChromium, launchChromium } from '../fixtures/chromium.js'

/**
 * Cookie tossing in a real browser (security checklist row 31): the app on https://app.example.test and
 * an attacker's site on its sibling https://evil.example.test, which can set cookies for the
 * whole of example.test. Chromium resolves both to 127.0.0.1 and accepts the test certificate.
 */
const https = {
  key: readFileSync('test/fixtures/tls/example.test.key'),
  cert: readFileSync('test/fixtures/tls/example.test.crt')
}
const NAME = '__Host-goauth.sid'

interface Sites { app: string, evil: string, google: FakeGoogle }

async function listen (t: Test, app: FastifyInstance): Promise<number> {
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as { port: number }).port
}

async function startSites (t: Test): Promise<Sites> {
  const evil = Fastify({ https })
  evil.get('/plant', async (request, reply) => {
    const { value, path } = request.query as { value: string, path?: string }
    reply.header('set-cookie', `x=1 ${NAME}=${value}; Domain=example.test; Path=${path ?? '/'}; Secure; SameSite=Lax`)
    return 'planted'
  })
  const evilPort = await listen(t, evil)

  // The app's port must be known for its callback URL: take one, then build the app on it.
  const probe = Fastify({ https })
  const port = await listen(t, probe)
  await probe.close()
  const origin = `https://app.example.test:${port}`
  const google = await startFakeGoogle({
    autoConsent: true,
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${origin}/oauth2/google/callback`] }]
  })
  t.teardown(() => google.close())
  const app = Fastify({ https })
  await app.register(googleOAuth, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    callbackUrl: `${origin}/oauth2/google/callback`,
    secret: SESSION_SECRET,
    endpoints: google.endpoints
  })
  app.get('/api/me', { preHandler: app.authenticate }, async (request) => request.googleUser)
  // What the browser sent, to show the planted value really arrives first.
  app.get('/api/cookie-header', async (request) => ({ header: request.headers.cookie ?? '' }))
  app.get('/', async () => 'home')
  t.teardown(() => app.close())
  await app.listen({ port, host: '127.0.0.1' })
  return { app: origin, evil: `https://evil.example.test:${evilPort}`, google }
}

async function signIn (context: BrowserContext, sites: Sites, email: string): Promise<string> {
  sites.google.setAutoConsent(email)
  const page = await context.newPage()
  await page.goto(`${sites.app}/oauth2/google?returnTo=/`)
  await page.waitForURL(`${sites.app}/`)
  await page.close()
  const cookie = (await context.cookies(sites.app)).find((c) => c.name === NAME)
  if (cookie === undefined) throw new Error(`no session cookie after signing in as ${email}`)
  return cookie.value
}

/** Calls the API from a page of the app, as the app's own scripts would. */
async function fetchFrom (page: Page, path: string): Promise<{ status: number, body: Record<string, unknown> }> {
  return page.evaluate(async (url) => {
    const response = await fetch(url, { headers: { accept: 'application/json' } })
    return { status: response.status, body: await response.json() as Record<string, unknown> }
  }, path)
}

if (haveChromium()) {
  t.test('a sibling subdomain\'s cookie holding our name inside its value is never our session (Chromium)', async (t) => {
    const sites = await startSites(t)
    const browser = await launchChromium(t, ['--host-resolver-rules=MAP *.example.test 127.0.0.1'])
    const newContext = () => browser.newContext({ ignoreHTTPSErrors: true })

    const attacker = await newContext()
    const forged = await signIn(attacker, sites, 'grace@example.com')

    const victim = await newContext()
    const page = await victim.newPage()
    await page.goto(`${sites.evil}/plant?value=${encodeURIComponent(forged)}`)
    await page.goto(`${sites.app}/`)
    t.match((await fetchFrom(page, '/api/cookie-header')).body.header, `x=1 ${NAME}=${forged}`, 'Chromium sends the planted cookie to the app')
    t.equal((await fetchFrom(page, '/api/me')).status, 401, 'an anonymous victim is not signed in as the attacker')

    await signIn(victim, sites, 'ada@example.com')
    await page.goto(`${sites.evil}/plant?value=${encodeURIComponent(forged)}&path=/api`)
    await page.goto(`${sites.app}/`)
    const header = (await fetchFrom(page, '/api/cookie-header')).body.header as string
    t.ok(header.indexOf(`x=1 ${NAME}=${forged}`) < header.lastIndexOf(`${NAME}=`), 'on /api the planted pair comes first')
    const me = await fetchFrom(page, '/api/me')
    t.equal(me.status, 200)
    t.equal(me.body.email, 'ada@example.com', 'the signed-in victim still sees their own account')

    await page.goto(`${sites.evil}/plant?value=garbage&path=/api`)
    await page.goto(`${sites.app}/`)
    t.equal((await fetchFrom(page, '/api/me')).body.email, 'ada@example.com', 'planted garbage locks nobody out')
  })
}
