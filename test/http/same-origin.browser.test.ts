import Fastify from 'fastify'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { portOf, startApp, type TestApp } from '../fixtures/app.js'
import { haveChromium, launchChromium } from '../fixtures/chromium.js'

/** A page whose form posts `text` to `action` as soon as it loads (`auto`), or when its button is pressed. */
const formPage = (action: string, auto: boolean): string => `<!doctype html><title>Notes</title>
<form method="post" action="${action}"><input name="text" value="hello"><button>Save</button></form>
${auto ? '<script>document.forms[0].submit()</script>' : ''}`

/**
 * The app on http://127.0.0.1:PORT, signed in in a real Chromium, with a form of its own guarded by
 * `sameOrigin` and `authenticate`, and a route guarded by `authenticate` only (to show what a
 * cross-site post carries). The attacker's pages are served on another port, as
 * http://127.0.0.1:EVIL (the same site: ports do not make sites, and SameSite=Lax cookies go
 * along) and http://localhost:EVIL (another site).
 */
async function setUp (t: Test): Promise<{ app: TestApp, page: Page, evilPort: number, reached: string[] }> {
  const reached: string[] = []
  const app = await startApp(t, {
    routes: (server) => {
      const { sameOrigin, authenticate } = server.googleOAuth
      // The app's own forms (what @fastify/formbody does).
      server.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))))
      server.get('/notes/new', async (_request, reply) => reply.type('text/html').send(formPage('/notes', false)))
      server.post('/notes', { preHandler: [sameOrigin, authenticate] }, async (request, reply) => {
        reached.push(`notes by ${request.googleUser!.email!}`)
        return reply.type('text/html').send('<h1>Saved</h1>')
      })
      server.post('/unguarded', { preHandler: [authenticate] }, async (request) => {
        reached.push(`unguarded by ${request.googleUser!.email!}`)
        return { saved: true }
      })
    }
  })
  const evil = Fastify()
  evil.get('/form', async (request, reply) => reply.type('text/html').send(formPage((request.query as { action: string }).action, true)))
  evil.get('/blank', async (_request, reply) => reply.type('text/html').send('<!doctype html><title>Blank</title>'))
  t.teardown(() => evil.close())
  await evil.listen({ port: 0, host: '127.0.0.1' })

  const browser = await launchChromium(t)
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${app.url}/oauth2/google?returnTo=/profile`)
  await page.waitForURL(`${app.url}/profile`)
  return { app, page, evilPort: portOf(evil.server), reached }
}

/** Opens the attacker's auto-submitting form aimed at `action` and returns the app's answer to the post. */
async function attack (page: Page, attacker: string, action: string) {
  const answer = page.waitForResponse((response) => response.url() === action && response.request().method() === 'POST')
  await page.goto(`${attacker}/form?action=${encodeURIComponent(action)}`)
  const response = await answer
  await page.waitForURL(action)
  return { status: response.status(), site: (await response.request().allHeaders())['sec-fetch-site'], body: await page.textContent('body') }
}

if (haveChromium()) {
  t.test('Chromium: a form on another origin that posts to a route guarded by sameOrigin gets 403; the app\'s own form passes', async (t) => {
    const { app, page, evilPort, reached } = await setUp(t)

    await page.goto(`${app.url}/notes/new`)
    const [saved] = await Promise.all([page.waitForResponse(`${app.url}/notes`), page.getByRole('button', { name: 'Save' }).click()])
    t.equal(saved.status(), 200, 'the app\'s own form is saved')
    t.equal((await saved.request().allHeaders())['sec-fetch-site'], 'same-origin')
    t.same(reached, ['notes by ada@example.com'])

    const sameSite = `http://127.0.0.1:${evilPort}`
    const control = await attack(page, sameSite, `${app.url}/unguarded`)
    t.equal(control.status, 200, 'from another port of the same host, the session cookie comes along: authenticate alone lets the post in')
    t.same(reached, ['notes by ada@example.com', 'unguarded by ada@example.com'])

    for (const [attacker, site] of [[sameSite, 'same-site'], [`http://localhost:${evilPort}`, 'cross-site']] as const) {
      const refused = await attack(page, attacker, `${app.url}/notes`)
      t.equal(refused.site, site, `Chromium says ${site}`)
      t.equal(refused.status, 403, `${site}: refused`)
      t.match(refused.body, /FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST/, `${site}: a page saying why`)
    }
    t.same(reached, ['notes by ada@example.com', 'unguarded by ada@example.com'], 'the guarded route never ran for the attacker')
  })

  t.test('Chromium: a JSON POST from the app\'s own page passes; a no-cors post from another origin never reaches the route', async (t) => {
    const { app, page, evilPort, reached } = await setUp(t)
    const post = async (from: Page, url: string, mode: 'cors' | 'no-cors'): Promise<number> => from.evaluate(async ({ url, mode }) => {
      const response = await fetch(url, { method: 'POST', mode, credentials: 'include', headers: mode === 'cors' ? { 'content-type': 'application/json', accept: 'application/json' } : { 'content-type': 'text/plain' }, body: '{"text":"hello"}' })
      return response.status
    }, { url, mode })

    await page.goto(`${app.url}/notes/new`)
    t.equal(await post(page, `${app.url}/notes`, 'cors'), 200, 'same origin')
    await page.goto(`http://127.0.0.1:${evilPort}/blank`)
    t.equal(await post(page, `${app.url}/unguarded`, 'no-cors'), 0, 'an opaque answer to the attacker')
    t.equal(await post(page, `${app.url}/notes`, 'no-cors'), 0)
    t.same(reached, ['notes by ada@example.com', 'unguarded by ada@example.com'], 'the unguarded route ran for the attacker, the guarded one did not')
  })
}
