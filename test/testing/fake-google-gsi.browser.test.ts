import Fastify from 'fastify'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { Browser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { DEFAULT_ACCOUNTS, startFakeGoogle, type FakeGoogle } from '../../src/testing/index.js'
import { haveChromium, launchChromium } from '../fixtures/chromium.js'

const CLIENT_ID = 'one-tap-page.apps.googleusercontent.com'
const NONCE = 'nonce-from-the-page-0123456789'
const [ADA, GRACE] = DEFAULT_ACCOUNTS as [typeof DEFAULT_ACCOUNTS[0], typeof DEFAULT_ACCOUNTS[0]]

/** What the page's `login_uri` route received. */
interface Posted {
  contentType: string | undefined
  fields: Record<string, string>
  cookies: Record<string, string>
}

interface Site {
  google: FakeGoogle
  /** The page's origin: http://127.0.0.1:PORT, an authorized JavaScript origin of the client. */
  origin: string
  browser: Browser
  /** Every POST to the page's login_uri, oldest first. */
  posted: Posted[]
}

function parseCookies (header: string | undefined): Record<string, string> {
  return Object.fromEntries((header ?? '').split(';').map((pair) => pair.trim().split('=') as [string, string]).filter(([name]) => name !== ''))
}

/**
 * The fake Google, and a small app on 127.0.0.1 serving a page with Google's HTML API under a
 * strict Content-Security-Policy and a `login_uri` route that records what it receives.
 */
async function setUp (t: Test): Promise<Site> {
  const google = await startFakeGoogle()
  t.teardown(() => google.close())
  const posted: Posted[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  const csp = [
    "default-src 'none'",
    `script-src ${google.endpoints.gsiClient}`,
    `style-src ${google.url}/gsi/style`,
    `connect-src ${google.url}/gsi/`,
    "form-action 'self'"
  ].join('; ')
  const page = (autoPrompt: boolean) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A page with Sign in with Google</title>
<script src="${google.endpoints.gsiClient}" async></script></head>
<body>
<h1>Welcome</h1>
<div id="g_id_onload" data-client_id="${CLIENT_ID}" data-login_uri="/auth/google" data-nonce="${NONCE}"${autoPrompt ? '' : ' data-auto_prompt="false"'}></div>
<div class="g_id_signin" data-type="standard" data-text="signin_with"></div>
</body>
</html>`
  app.get('/', async (_request, reply) => reply.header('content-security-policy', csp).type('text/html; charset=utf-8').send(page(true)))
  app.get('/button', async (_request, reply) => reply.header('content-security-policy', csp).type('text/html; charset=utf-8').send(page(false)))
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send())
  app.post('/auth/google', async (request, reply) => {
    posted.push({ contentType: request.headers['content-type'], fields: request.body as Record<string, string>, cookies: parseCookies(request.headers.cookie) })
    return reply.type('text/html; charset=utf-8').send('<!doctype html><html lang="en"><title>Signed in</title><h1>Signed in</h1></html>')
  })
  const origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1')
  google.addClient({ clientId: CLIENT_ID, clientSecret: 'one-tap-page-secret', redirectUris: ['http://127.0.0.1:1/unused'], javascriptOrigins: [origin] })
  return { google, origin, browser: await launchChromium(t), posted }
}

/** A page in a fresh browser context, recording console errors (CSP violations among them) and page errors. */
async function openPage (browser: Browser): Promise<{ page: Page, problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } })
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  return { page, problems }
}

/** Checks what the page's login_uri received: a form with the credential, the double-submit token and select_by. */
async function checkPosted (t: Test, site: Site, posted: Posted | undefined, expected: { sub: string, selectBy: string }): Promise<void> {
  if (posted === undefined) throw new Error('login_uri received nothing')
  t.equal(posted.contentType, 'application/x-www-form-urlencoded', 'a form POST')
  t.same(Object.keys(posted.fields).sort(), ['credential', 'g_csrf_token', 'select_by'])
  t.equal(posted.fields.select_by, expected.selectBy)
  t.match(posted.fields.g_csrf_token, /^[0-9a-f]{32,}$/, 'a random token of 16 bytes or more')
  t.equal(posted.cookies.g_csrf_token, posted.fields.g_csrf_token, 'the g_csrf_token cookie equals the field (double submit)')
  const { payload } = await jwtVerify(posted.fields.credential!, createRemoteJWKSet(new URL(site.google.endpoints.jwks)), {
    issuer: 'https://accounts.google.com', audience: CLIENT_ID, algorithms: ['RS256']
  })
  t.match(payload, { aud: CLIENT_ID, azp: CLIENT_ID, nonce: NONCE, sub: expected.sub }, 'the credential verifies, for the page\'s client and nonce')
}

if (haveChromium()) {
  const site = setUp(t)

  t.test('One Tap: the prompt lists the accounts in a corner, and choosing one posts the credential to login_uri', async (t) => {
    const s = await site
    const { page, problems } = await openPage(s.browser)
    await page.goto(`${s.origin}/`)
    const dialog = page.getByRole('dialog', { name: 'Sign in with Google' })
    await dialog.waitFor()
    t.ok(await page.getByRole('button', { name: 'Sign in with Google', exact: true }).isVisible(), 'the button is rendered too')
    for (const account of DEFAULT_ACCOUNTS) {
      t.ok(await dialog.getByRole('button', { name: `Continue as ${account.name}`, exact: true }).isVisible(), `offers ${account.name}`)
    }
    t.ok(await dialog.getByRole('button', { name: 'Close', exact: true }).isVisible(), 'and can be closed')
    t.match(await dialog.textContent(), /not Google/, 'says it is a local test provider')
    t.equal(await dialog.evaluate((node) => (globalThis as unknown as { getComputedStyle (n: unknown): { position: string } }).getComputedStyle(node).position), 'fixed',
      'styled by the fake\'s stylesheet under the page\'s CSP')
    const box = await dialog.boundingBox()
    t.ok(box !== null && box.y < 40 && box.x + box.width > 1000 - 40, 'in the top right corner')

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${s.origin}/auth/google` && r.request().method() === 'POST'),
      dialog.getByRole('button', { name: 'Continue as Ada Lovelace', exact: true }).click()
    ])
    t.equal(response.status(), 200)
    await page.getByRole('heading', { name: 'Signed in' }).waitFor()
    t.equal(s.posted.length, 1)
    await checkPosted(t, s, s.posted[0], { sub: ADA.sub, selectBy: 'user' })
    const cookie = (await page.context().cookies(s.origin)).find((c) => c.name === 'g_csrf_token')
    t.match(cookie, { path: '/', sameSite: 'Lax', secure: false, httpOnly: false }, 'the cookie is the page\'s own, set by the script')
    t.same(problems, [], 'no console errors: nothing the CSP refused')
    await page.close()
  })

  t.test('the button: with auto_prompt off, clicking it opens the dialog, and choosing posts with select_by=btn', async (t) => {
    const s = await site
    const { page, problems } = await openPage(s.browser)
    await page.goto(`${s.origin}/button`)
    const button = page.getByRole('button', { name: 'Sign in with Google', exact: true })
    await button.waitFor()
    t.equal(await page.getByRole('dialog').count(), 0, 'no One Tap prompt with data-auto_prompt="false"')
    await button.click()
    const dialog = page.getByRole('dialog', { name: 'Sign in with Google' })
    await dialog.waitFor()
    const before = s.posted.length
    await dialog.getByRole('button', { name: 'Close', exact: true }).click()
    t.equal(await page.getByRole('dialog').count(), 0, 'Close closes it')
    await button.click()
    await Promise.all([
      page.waitForResponse((r) => r.url() === `${s.origin}/auth/google`),
      page.getByRole('button', { name: 'Continue as Grace Hopper', exact: true }).click()
    ])
    await page.getByRole('heading', { name: 'Signed in' }).waitFor()
    t.equal(s.posted.length, before + 1)
    await checkPosted(t, s, s.posted.at(-1), { sub: GRACE.sub, selectBy: 'btn' })
    t.same(problems, [], 'no console errors: nothing the CSP refused')
    await page.close()
  })

  t.test('setAutoConsent("deny"): the dialog says access was denied and offers no account', async (t) => {
    const s = await site
    s.google.setAutoConsent('deny')
    t.teardown(() => s.google.reset())
    const { page, problems } = await openPage(s.browser)
    await page.goto(`${s.origin}/`)
    const dialog = page.getByRole('dialog', { name: 'Sign in with Google' })
    await dialog.waitFor()
    t.match(await dialog.getByRole('status').textContent(), /Access was denied/)
    t.equal(await dialog.getByRole('button', { name: /Continue as/ }).count(), 0)
    t.ok(await dialog.getByRole('button', { name: 'Close', exact: true }).isVisible())
    t.same(problems, [])
    await page.close()
  })

  t.test('a page on an origin the client does not authorize gets no credential, and says why', async (t) => {
    const s = await site
    const before = s.posted.length
    const { page, problems } = await openPage(s.browser)
    // Same server, another origin: localhost is not among the client's JavaScript origins.
    await page.goto(`${s.origin.replace('127.0.0.1', 'localhost')}/`)
    const dialog = page.getByRole('dialog', { name: 'Sign in with Google' })
    await dialog.getByRole('button', { name: 'Continue as Ada Lovelace', exact: true }).click()
    const alert = dialog.getByRole('alert')
    await alert.waitFor()
    t.match(await alert.textContent(), /not an authorized JavaScript origin/)
    t.equal(s.posted.length, before, 'nothing was posted')
    t.ok(problems.some((p) => /CORS/.test(p)), 'the browser refused the request for lack of CORS permission')
    await page.close()
  })
}
