import t from 'tap'
import { startApp } from '../fixtures/app.js'
import { haveChromium, launchChromium } from '../fixtures/chromium.js'

if (haveChromium()) {
  t.test('Chromium: with oneTap, one "Sign in with Google" button (Google\'s), and the redirect as a control of its own that still signs in', async (t) => {
    const app = await startApp(t, { plugin: { oneTap: { prompt: false } } })
    const browser = await launchChromium(t)
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${app.url}/login?returnTo=%2Fprofile`)
    const googles = page.locator('.g_id_signin').getByRole('button', { name: 'Sign in with Google', exact: true })
    await googles.waitFor()
    const named = page.getByRole('button', { name: 'Sign in with Google', exact: true }).or(page.getByRole('link', { name: 'Sign in with Google', exact: true }))
    t.equal(await named.count(), 1, 'one control named "Sign in with Google": Google\'s button')
    const redirect = page.getByRole('link', { name: 'Sign in with Google in this window', exact: true })
    t.ok(await redirect.isVisible(), 'the redirect, named for what it does')
    t.equal(await redirect.locator('svg').count(), 0, 'without Google\'s logo: it does not look like Google\'s button')
    await redirect.click()
    await page.waitForURL(`${app.url}/profile`)
    t.match(await page.textContent('body'), /ada@example\.com/, 'signed in through the redirect')
  })

  t.test('Chromium: with One Tap only (no Google button), the redirect is the one "Sign in with Google" button', async (t) => {
    const app = await startApp(t, { plugin: { oneTap: { button: false } } })
    const browser = await launchChromium(t)
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${app.url}/login`)
    await page.getByRole('dialog', { name: 'Sign in with Google' }).waitFor()
    const named = page.getByRole('button', { name: 'Sign in with Google', exact: true }).or(page.getByRole('link', { name: 'Sign in with Google', exact: true }))
    t.equal(await named.count(), 1)
    t.equal(await page.getByRole('link', { name: 'Sign in with Google', exact: true }).locator('svg').count(), 1, 'with the logo')
  })
}
