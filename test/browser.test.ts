import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import t from 'tap'
import { buildExample } from '../example/app.js'
import { readConfig } from '../example/config.js'
import { freePort } from './fixtures/free-port.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? 'test-results/screenshots'
// Flags that work on machines without a network or a sandbox.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

if (!existsSync(CHROMIUM)) {
  if (process.env.CI) t.fail(`Chromium not found at ${CHROMIUM}; .ci/run installs Debian's chromium package`)
  else t.plan(0, `Chromium not found at ${CHROMIUM} (apt-get install chromium); the browser test runs in CI`)
} else {
  t.test('a person signs in through the fake Google\'s chooser, sees their profile and signs out', async (t) => {
    const port = await freePort()
    const { app } = await buildExample(readConfig({ PORT: String(port), HOST: '127.0.0.1' }, '/nonexistent'), false)
    t.teardown(() => app.close())
    await app.listen({ port, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${port}`
    mkdirSync(SCREENSHOTS, { recursive: true })

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS })
    t.teardown(() => browser.close())

    for (const colorScheme of ['light', 'dark'] as const) {
      const page: Page = await browser.newPage({ colorScheme, viewport: { width: 900, height: 700 } })
      const problems: string[] = []
      page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })
      page.on('pageerror', (error) => problems.push(error.message))
      const shot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}-${colorScheme}.png` })

      await page.goto(`${base}/profile`)
      t.equal(new URL(page.url()).pathname, '/login', `${colorScheme}: a signed-out visit to /profile lands on the login page`)
      await shot('login')
      await page.getByRole('link', { name: 'Sign in with Google' }).click()
      await page.getByRole('heading', { name: 'Choose an account' }).waitFor()
      t.match(await page.textContent('body'), /not Google/, `${colorScheme}: the chooser says it is a local test provider`)
      await shot('chooser')
      await page.getByRole('button', { name: /Ada Lovelace/ }).click()
      await page.waitForURL(`${base}/profile`)
      t.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Ada Lovelace', `${colorScheme}: the profile shows the user`)
      t.match(await page.textContent('main'), /ada@example\.com/)
      await shot('profile')

      await page.getByRole('link', { name: 'Sign out' }).click()
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForURL(`${base}/`)
      t.match(await page.textContent('main'), /not signed in/, `${colorScheme}: signed out`)
      await page.goto(`${base}/profile`)
      t.equal(new URL(page.url()).pathname, '/login', `${colorScheme}: the profile is guarded again after sign-out`)
      t.same(problems, [], `${colorScheme}: no console errors`)
      await page.close()
    }
  })
}
