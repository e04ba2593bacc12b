import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { buildExample } from '../example/app.js'
import { readConfig } from '../example/config.js'
import { openServer, portOf } from './fixtures/app.js'
import { haveChromium, launchChromium } from './fixtures/chromium.js'

// `npm run screenshots` sets docs/screenshots: the README's pictures come from this test (taken
// only then, and only then in the dark color scheme too: the flow is the same, not its pictures).
const SCREENSHOTS = process.env.SCREENSHOT_DIR
const COLOR_SCHEMES = SCREENSHOTS === undefined ? ['light'] as const : ['light', 'dark'] as const

async function screenshot (page: Page, name: string): Promise<void> {
  if (SCREENSHOTS !== undefined) await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` })
}

/** The example on a server already listening, and one Chromium, for every test of this file. */
async function setUp (t: Test): Promise<{ base: string, browser: Browser }> {
  const server = await openServer(t)
  const { app } = await buildExample(readConfig({ PORT: String(portOf(server)), HOST: '127.0.0.1' }, '/nonexistent'), { logger: false, server })
  t.teardown(() => app.close())
  await app.ready()
  if (SCREENSHOTS !== undefined) mkdirSync(SCREENSHOTS, { recursive: true })
  return { base: `http://127.0.0.1:${portOf(server)}`, browser: await launchChromium(t) }
}

/** A page in a fresh browser context (no cookies), recording console errors and failed requests. */
async function openPage (browser: Browser, colorScheme: 'light' | 'dark', width = 900): Promise<{ page: Page, problems: string[] }> {
  const page = await browser.newPage({ colorScheme, viewport: { width, height: 720 } })
  const problems: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', (error) => problems.push(error.message))
  return { page, problems }
}

if (haveChromium()) {
  const site = setUp(t)

  t.test('a person signs in from the home page, sees their profile and the API, and signs out', async (t) => {
    const { base, browser } = await site
    for (const colorScheme of COLOR_SCHEMES) {
      const { page, problems } = await openPage(browser, colorScheme)
      const shot = (name: string) => screenshot(page, `${name}-${colorScheme}`)

      await page.goto(`${base}/`)
      t.match(await page.textContent('main'), /not signed in/, `${colorScheme}: the home page says so`)
      await shot('home')
      await page.getByRole('link', { name: 'Sign in with Google' }).click()
      await page.waitForURL((url) => url.pathname === '/login')
      await shot('login')
      await page.getByRole('link', { name: 'Sign in with Google' }).click()
      await page.getByRole('heading', { name: 'Choose an account' }).waitFor()
      t.match(await page.textContent('body'), /not Google/, `${colorScheme}: the chooser says it is a local test provider`)
      await shot('chooser')
      await page.getByRole('button', { name: /Ada Lovelace/ }).click()
      await page.waitForURL(`${base}/profile`)
      t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Ada Lovelace', `${colorScheme}: the profile shows the name`)
      t.ok(await page.locator('.profile img').evaluate((img) => (img as unknown as { complete: boolean, naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), 'and the avatar')
      t.match(await page.textContent('main'), /ada@example\.com/)
      t.match(await page.textContent('dl'), /Role in this app\s*admin/, `${colorScheme}: with the role onSignIn gave`)
      await shot('profile')

      const api = await page.goto(`${base}/api/me`)
      t.equal(api?.status(), 200)
      t.match(JSON.parse(await page.textContent('body') ?? '{}'), { email: 'ada@example.com' }, `${colorScheme}: /api/me answers JSON`)

      await page.goto(`${base}/`)
      // One click: the header's button posts the sign-out form.
      await Promise.all([page.waitForResponse((response) => response.url() === `${base}/logout` && response.request().method() === 'POST'), page.getByRole('button', { name: 'Sign out' }).click()])
      await page.waitForURL(`${base}/`)
      t.match(await page.textContent('main'), /not signed in/, `${colorScheme}: signed out with one click`)
      await page.goto(`${base}/profile`)
      t.equal(new URL(page.url()).pathname, '/login', `${colorScheme}: the profile is closed again`)
      t.same(problems, [], `${colorScheme}: no console errors`)
      await page.close()
    }
  })

  t.test('One Tap signs a person in; the calendar asks Google for read-only access the first time it is opened', async (t) => {
    const { base, browser } = await site
    const { page, problems } = await openPage(browser, 'light')
    await page.goto(`${base}/login?returnTo=%2Fprofile`)
    const oneTap = page.getByRole('dialog', { name: 'Sign in with Google' })
    await oneTap.waitFor()
    await screenshot(page, 'one-tap')
    await oneTap.getByRole('button', { name: 'Continue as Ada Lovelace' }).click()
    await page.waitForURL(`${base}/profile`)
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Ada Lovelace', 'signed in by One Tap')
    t.match(await page.textContent('dl'), /Role in this app\s*admin/, 'through the same onSignIn')

    await page.getByRole('link', { name: 'Connect your calendar' }).click()
    await page.getByRole('heading', { name: 'Choose an account' }).waitFor()
    t.match(await page.textContent('main'), /allows it to:\s*See and download any calendar/, 'Google lists the access asked for')
    await page.getByRole('button', { name: /Ada Lovelace/ }).click()
    // Ada consented to the example before (an earlier test signed her in through Google): then Google asks again for the new scope.
    const allow = page.getByRole('button', { name: 'Allow' })
    await Promise.race([page.waitForURL(`${base}/calendar`), allow.waitFor().then(() => allow.click(), () => {})])
    await page.waitForURL(`${base}/calendar`)
    t.match(await page.textContent('main'), /ada@example\.com \(primary\)[\s\S]*Holidays/, 'the calendars, read as Ada with the new scope')
    await screenshot(page, 'calendar')
    await page.goto(`${base}/profile`)
    t.ok(await page.getByRole('link', { name: 'Your calendars' }).isVisible(), 'connected')
    t.same(problems, [], 'no console errors (the page\'s policy allows Google\'s script and nothing else)')
  })

  t.test('Google\'s button, then a grant of more access on Google\'s consent screen for an account that consented before', async (t) => {
    const { base, browser } = await site
    const { page, problems } = await openPage(browser, 'light')
    await page.goto(`${base}/login?returnTo=%2Fprofile`)
    await page.getByRole('link', { name: 'Sign in with Google' }).click()
    await page.getByRole('button', { name: /Grace Hopper/ }).click()
    await page.waitForURL(`${base}/profile`)
    await page.getByRole('link', { name: 'Connect your calendar' }).click()
    await page.getByRole('button', { name: /Grace Hopper/ }).click()
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    t.match(await page.textContent('body'), /wants additional access/, 'Google\'s consent screen for the new scope')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(`${base}/calendar`)
    t.match(await page.textContent('main'), /grace@example\.com \(primary\)/)

    await Promise.all([page.waitForResponse((response) => response.url() === `${base}/logout`), page.getByRole('button', { name: 'Sign out' }).click()])
    await page.goto(`${base}/login?returnTo=%2Fprofile`)
    await page.locator('.g_id_signin').getByRole('button', { name: 'Sign in with Google' }).click()
    await page.getByRole('button', { name: 'Continue as Grace Hopper' }).click()
    await page.waitForURL(`${base}/profile`)
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Grace Hopper', 'signed in again with Google\'s button')
    t.same(problems, [])
  })

  t.test('a protected page opened while signed out comes back to that same page after sign-in', async (t) => {
    const { base, browser } = await site
    const { page, problems } = await openPage(browser, 'light', 390)
    await page.goto(`${base}/profile?tab=settings`)
    // On a narrow screen the One Tap prompt covers the page: this person closes it and uses the redirect.
    await page.getByRole('dialog', { name: 'Sign in with Google' }).getByRole('button', { name: 'Close' }).click()
    await page.getByRole('link', { name: 'Sign in with Google' }).click()
    await page.getByRole('button', { name: /Grace Hopper/ }).click()
    await page.waitForURL(`${base}/profile?tab=settings`)
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Grace Hopper')
    await screenshot(page, 'profile-mobile')
    t.same(problems, [])
  })

  t.test('Back from the profile to Google\'s chooser while signed in leads on, not to an error', async (t) => {
    const { base, browser } = await site
    const { page, problems } = await openPage(browser, 'light')
    await page.goto(`${base}/login?returnTo=%2Fprofile`)
    await page.getByRole('link', { name: 'Sign in with Google' }).click()
    await page.getByRole('button', { name: /Ada Lovelace/ }).click()
    await page.waitForURL(`${base}/profile`)
    await page.goBack()
    await page.getByRole('heading', { name: 'Choose an account' }).waitFor()
    await page.getByRole('button', { name: /Ada Lovelace/ }).click()
    await page.waitForURL((url) => url.origin === base && url.pathname !== '/oauth2/google/callback')
    t.notMatch(await page.textContent('body'), /could not be completed|Error code/, 'no error page')
    t.match(await page.textContent('main'), /signed in as/, 'still signed in, on the app')
    t.same(problems, [])
  })

  t.test('opened on localhost while the callback is on 127.0.0.1, sign-in still works', async (t) => {
    const { base, browser } = await site
    const { page, problems } = await openPage(browser, 'light')
    const other = base.replace('127.0.0.1', 'localhost')
    await page.goto(`${other}/login?returnTo=%2Fprofile`)
    await page.getByRole('link', { name: 'Sign in with Google' }).click()
    await page.getByRole('button', { name: /Grace Hopper/ }).click()
    await page.waitForURL(`${base}/profile`)
    t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Grace Hopper', 'signed in, on the callback\'s host')
    t.same(problems, [])
  })

  t.test('cancelling at the fake Google shows a friendly message with a way back', async (t) => {
    const { base, browser } = await site
    const { page, problems } = await openPage(browser, 'light')
    await page.goto(`${base}/login`)
    await page.getByRole('link', { name: 'Sign in with Google' }).click()
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('heading', { name: 'Sign-in cancelled' }).waitFor()
    t.match(await page.textContent('main'), /cancelled at Google/)
    await screenshot(page, 'cancelled')
    await page.getByRole('link', { name: 'Back to sign in' }).click()
    await page.waitForURL((url) => url.pathname === '/login')
    t.same(problems.filter((problem) => !problem.includes('403')), [], 'no console errors besides the 403 itself')
  })
}
