import type { Browser, BrowserContext, Page } from 'playwright-core'
import t from 'tap'
import { buildExample } from '../example/app.js'
import { readConfig } from '../example/config.js'
import { openServer, portOf } from './fixtures/app.js'
import { haveChromium, launchChromium } from './fixtures/chromium.js'

// `npm run screenshots` sets docs/screenshots: the devices page's picture in docs/sessions.md comes from here.
const SCREENSHOTS = process.env.SCREENSHOT_DIR

/** A fresh browser (a context of its own: no cookies shared) signed in as Ada through the fake Google's chooser. */
async function adaIn (browser: Browser, base: string): Promise<{ context: BrowserContext, page: Page, problems: string[] }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', (error) => problems.push(error.message))
  await page.goto(`${base}/login?returnTo=%2Fprofile`)
  await page.getByRole('link', { name: 'Sign in with Google' }).click()
  await page.getByRole('button', { name: /Ada Lovelace/ }).click()
  await page.waitForURL(`${base}/profile`)
  return { context, page, problems }
}

/** Whether a page is still signed in: the profile opens, or sends it to the login page. */
async function signedIn (page: Page, base: string): Promise<boolean> {
  await page.goto(`${base}/profile`)
  return new URL(page.url()).pathname === '/profile'
}

if (haveChromium()) {
  t.test('Your devices: two browsers signed in as Ada; one signs the other out, which is signed out on its next request', async (t) => {
    const server = await openServer(t)
    const { app } = await buildExample(readConfig({ PORT: String(portOf(server)), HOST: '127.0.0.1' }, '/nonexistent'), { logger: false, server })
    t.teardown(() => app.close())
    await app.ready()
    const base = `http://127.0.0.1:${portOf(server)}`
    const browser = await launchChromium(t)

    const laptop = await adaIn(browser, base)
    const phone = await adaIn(browser, base)
    await laptop.page.getByRole('link', { name: 'Your devices' }).click()
    await laptop.page.waitForURL(`${base}/devices`)
    const rows = laptop.page.locator('.devices li')
    t.equal(await rows.count(), 2, 'both sessions listed')
    t.match(await rows.first().textContent(), /Chrome on Linux[\s\S]*Signed in .* with Google/, 'each with its device and how it signed in')
    t.equal(await rows.filter({ hasText: 'This device' }).count(), 1, 'this one marked, without a button')
    if (SCREENSHOTS !== undefined) await laptop.page.screenshot({ path: `${SCREENSHOTS}/devices.png` })

    await rows.filter({ hasNotText: 'This device' }).getByRole('button', { name: 'Sign out' }).click()
    await laptop.page.waitForURL(`${base}/devices`)
    t.equal(await rows.count(), 1, 'the other is gone from the list')
    t.equal(await signedIn(phone.page, base), false, 'the other browser is signed out on its next request')
    t.equal(await signedIn(laptop.page, base), true, 'this one is not')

    // Everywhere else: two more browsers, both signed out with one click.
    const others = [await adaIn(browser, base), await adaIn(browser, base)]
    await laptop.page.goto(`${base}/devices`)
    t.equal(await rows.count(), 3)
    await laptop.page.getByRole('button', { name: 'Sign out everywhere else' }).click()
    await laptop.page.waitForURL(`${base}/devices`)
    t.equal(await rows.count(), 1, 'only this device left')
    t.same([await signedIn(others[0]!.page, base), await signedIn(others[1]!.page, base)], [false, false], 'both others signed out')
    t.equal(await signedIn(laptop.page, base), true)

    // The forms change something: a post from another site is refused, with the session's cookie and all.
    const cookie = (await laptop.context.cookies(base)).map(({ name, value }) => `${name}=${value}`).join('; ')
    const forged = await fetch(`${base}/devices/others`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: 'https://elsewhere.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
    t.equal(forged.status, 403, 'refused by the same-origin check')
    t.same([laptop.problems, phone.problems], [[], []], 'no console errors under the page\'s policy')
  })
}
