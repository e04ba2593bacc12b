import { Redis } from 'ioredis'
import t from 'tap'
import { buildExample } from '../example/app.js'
import { readConfig } from '../example/config.js'
import { openServer, portOf } from './fixtures/app.js'
import { Browser } from './fixtures/browser.js'
import { SHARED_REDIS_PORT } from './fixtures/redis.js'

t.test('the example signs a person in through the fake Google\'s account chooser', async (t) => {
  const server = await openServer(t)
  const config = readConfig({ PORT: String(portOf(server)), HOST: '127.0.0.1' }, '/nonexistent')
  t.equal(config.google, null, 'no credentials → fake Google')
  t.match(config.googleReason, /no GOOGLE_CLIENT_ID/)
  const { app, fakeGoogle } = await buildExample(config, { logger: false, server })
  t.teardown(() => app.close())
  await app.ready()
  const url = `http://127.0.0.1:${portOf(server)}`
  const b = new Browser()

  const home = await b.navigate(`${url}/`)
  t.match(home.body, /not signed in/)
  t.match(home.body, /local fake Google/)

  const login = await b.navigate(`${url}/profile`)
  t.equal(new URL(login.url).pathname, '/login', 'the guard sends us to the login page')
  const signInLink = /<a class="button" href="([^"]+)"/.exec(login.body)![1]!.replace(/&amp;/g, '&')
  t.equal(signInLink, '/oauth2/google?returnTo=%2Fprofile')
  const chooser = await b.navigate(new URL(signInLink, url).href)
  t.equal(new URL(chooser.url).origin, fakeGoogle!.url, 'the button leads to the fake chooser')
  t.match(chooser.body, /Ada Lovelace/)
  const action = /<form method="post" action="([^"]+)"/.exec(chooser.body)![1]!.replace(/&amp;/g, '&')
  const requestId = /name="request" value="([^"]+)"/.exec(chooser.body)![1]!
  const ada = fakeGoogle!.accounts[0]!
  const chosen = await b.request(new URL(action, chooser.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ request: requestId, account: ada.sub }).toString()
  })
  t.equal(chosen.status, 302)
  const landed = await b.navigate(new URL(chosen.headers.get('location')!, chooser.url).href)
  t.equal(new URL(landed.url).pathname, '/profile')
  t.match(landed.body, /Ada Lovelace/)
  t.match(landed.body, /ada@example\.com/)
  t.match(landed.body, /From Google&#39;s userinfo API|From Google's userinfo API/)
  t.match(landed.body, /&quot;sub&quot;: &quot;100000000000000000001&quot;/, 'userinfo loaded through request.googleAuth')
  t.match(landed.body, /<dt>Role in this app<\/dt><dd>admin<\/dd>/, 'onSignIn made Ada an admin')
  const me = await (await b.request(`${url}/api/me`)).json() as { email: string, role: string }
  t.match(me, { email: 'ada@example.com', role: 'admin' })
})

t.test('the example chooses real Google when credentials are given', async (t) => {
  const config = readConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's', SESSION_SECRET: 'x'.repeat(32) }, '/nonexistent')
  t.same(config.google, { clientId: 'id.apps.googleusercontent.com', clientSecret: 's' })
  t.equal(config.sessionSecretGenerated, false)
  const { app, fakeGoogle, callbackUrl } = await buildExample(config, { logger: false })
  t.teardown(() => app.close())
  t.equal(fakeGoogle, null)
  t.equal(callbackUrl, 'http://localhost:3000/oauth2/google/callback')
  const start = await app.inject({ url: '/oauth2/google', headers: { host: 'localhost:3000' } })
  t.match(start.headers.location, /^https:\/\/accounts\.google\.com\/o\/oauth2\/v2\/auth\?/)
})

t.test('the example keeps sessions in Redis when REDIS_URL is set', async (t) => {
  const server = await openServer(t)
  const port = portOf(server)
  const config = readConfig({ PORT: String(port), HOST: '127.0.0.1', REDIS_URL: `redis://127.0.0.1:${SHARED_REDIS_PORT}` }, '/nonexistent')
  const { app, fakeGoogle } = await buildExample(config, { logger: false, server })
  t.teardown(() => app.close())
  await app.ready()
  fakeGoogle!.setAutoConsent('grace@example.com')
  const b = new Browser()
  const landed = await b.navigate(`http://127.0.0.1:${port}/oauth2/google?returnTo=/api/me`)
  t.match(JSON.parse(landed.body), { email: 'grace@example.com', role: 'member' })
  const id = b.cookiesFor(`http://127.0.0.1:${port}`)['goauth.sid']!.split('.')[0]!
  const redis = new Redis({ host: '127.0.0.1', port: SHARED_REDIS_PORT })
  t.teardown(() => redis.disconnect())
  const key = `fastify-google-oauth-example:{${id.slice(0, 8)}}:s:${id}`
  t.equal(await redis.exists(key), 1, 'the session is in Redis under the example\'s prefix, in the plugin\'s Redis store')
  await b.submit(`http://127.0.0.1:${port}/logout`)
  t.equal(await redis.exists(key), 0, 'and gone after sign-out')
})
