import t from 'tap'
import { startApp } from '../fixtures/app.js'

t.test('the login page: one accessible button carrying returnTo, strict security headers', async (t) => {
  const app = await startApp(t)
  const result = await app.browser().navigate(`${app.url}/login?returnTo=${encodeURIComponent('/reports?x=1')}`)
  t.equal(result.response.status, 200)
  t.match(result.response.headers.get('content-type'), /text\/html/)
  t.match(result.body, /<html lang="en">/)
  t.match(result.body, /<a class="button" href="\/oauth2\/google\?returnTo=%2Freports%3Fx%3D1">/)
  t.match(result.body, /Sign in with Google/)
  t.notMatch(result.body, /<script|https?:\/\//, 'no scripts, no external assets')
  const csp = result.response.headers.get('content-security-policy')!
  t.match(csp, /default-src 'none'/)
  t.match(csp, /frame-ancestors 'none'/)
  t.notMatch(csp, /unsafe-inline/)
  t.equal(result.response.headers.get('cache-control'), 'no-store')
})

t.test('an unsafe returnTo is replaced by /', async (t) => {
  const app = await startApp(t)
  const result = await app.browser().navigate(`${app.url}/login?returnTo=${encodeURIComponent('//evil.example')}`)
  t.match(result.body, /href="\/oauth2\/google"/)
  t.notMatch(result.body, /evil/)
})

t.test('a signed-in user is sent on to returnTo', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  const response = await b.request(`${app.url}/login?returnTo=/profile`)
  t.equal(response.status, 303)
  t.equal(response.headers.get('location'), '/profile')
  const unsafe = await b.request(`${app.url}/login?returnTo=https://evil.example`)
  t.equal(unsafe.headers.get('location'), '/')
})

t.test('the page can be replaced by a function', async (t) => {
  const app = await startApp(t, {
    plugin: { loginPage: ({ startUrl, returnTo }) => `<p>custom ${startUrl} ${returnTo}</p>` }
  })
  const result = await app.browser().navigate(`${app.url}/login?returnTo=/x`)
  t.equal(result.body, '<p>custom /oauth2/google?returnTo=%2Fx /x</p>')
})

t.test('routes live under the prefix', async (t) => {
  const app = await startApp(t, { plugin: { prefix: '/auth' } })
  t.equal((await app.browser().request(`${app.url}/auth/login`)).status, 200)
  t.equal((await app.browser().request(`${app.url}/login`)).status, 404)
  const redirect = await app.browser().request(`${app.url}/profile`, { headers: { accept: 'text/html' } })
  t.equal(redirect.headers.get('location'), '/auth/login?returnTo=%2Fprofile')
  t.equal(await app.signIn(app.browser(), '/profile'), '/profile')
})

t.test('the pages can name the app and link back to it', async (t) => {
  const app = await startApp(t, { plugin: { appName: 'Analytical <Engine>', appUrl: '/home' } })
  const login = await app.browser().navigate(`${app.url}/login`)
  t.match(login.body, /<h1>Sign in to Analytical &lt;Engine&gt;<\/h1>/, 'named, escaped')
  t.match(login.body, /<a class="app" href="\/home">← Analytical &lt;Engine&gt;<\/a>/, 'with a link back to the app')
  const logout = await app.browser().navigate(`${app.url}/logout`)
  t.match(logout.body, /href="\/home"/)
  app.google.setAutoConsent('deny')
  const denied = await app.browser().navigate(`${app.url}/oauth2/google`)
  t.match(denied.body, /<a class="app" href="\/home">/, 'error pages too')
  const plain = await startApp(t)
  t.match((await plain.browser().navigate(`${plain.url}/login`)).body, /<a class="app" href="\/">← Back to the app<\/a>/, 'without a name: a plain link home')
})

t.test('with Google\'s button beside it, the redirect is a control of another kind: its own words, no Google logo', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const { body } = await app.browser().navigate(`${app.url}/login`)
  t.match(body, /<div class="g_id_signin"/, 'Google\'s "Sign in with Google" button')
  const redirect = /<a class="button" href="\/oauth2\/google">([\s\S]*?)<\/a>/.exec(body)![1]!
  t.equal(redirect, '<span>Sign in with Google in this window</span>')
  t.equal(body.match(/<svg/g)?.length ?? 0, 0, 'no second Google logo')

  const promptOnly = await startApp(t, { plugin: { oneTap: { button: false } } })
  const alone = (await promptOnly.browser().navigate(`${promptOnly.url}/login`)).body
  t.match(alone, /<a class="button" href="\/oauth2\/google"><svg[^]*<\/svg><span>Sign in with Google<\/span><\/a>/, 'without Google\'s button, the redirect is the "Sign in with Google" button')
})
