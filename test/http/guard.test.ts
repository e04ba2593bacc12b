import t from 'tap'
import { startApp } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'

t.test('a signed-in request passes, and the response is never cached', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  await app.signIn(b)
  const response = await b.request(`${app.url}/api/me`)
  t.equal(response.status, 200)
  t.equal(response.headers.get('cache-control'), 'no-store')
})

t.test('a page navigation without a user goes to the login page with returnTo', async (t) => {
  const app = await startApp(t)
  const response = await app.browser().request(`${app.url}/profile?tab=2`, {
    headers: { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' }
  })
  t.equal(response.status, 302)
  t.equal(response.headers.get('location'), `/login?returnTo=${encodeURIComponent('/profile?tab=2')}`)
  t.equal(response.headers.get('cache-control'), 'no-store')
  t.same(response.headers.getSetCookie(), [], 'no cookie for anonymous visitors')
})

t.test('an API request without a user gets 401 JSON with the login URL', async (t) => {
  const app = await startApp(t)
  const requests: Array<[string, Record<string, string>, string]> = [
    ['/api/me', { accept: 'application/json' }, 'GET'],
    ['/api/me', { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' }, 'GET'],
    ['/api/me', { accept: 'text/html', 'sec-fetch-mode': 'cors' }, 'GET'],
    ['/api/me', {}, 'GET'],
    ['/api/things', { accept: 'text/html' }, 'POST']
  ]
  for (const [path, headers, method] of requests) {
    const response = await app.browser().request(`${app.url}${path}`, { method, headers })
    t.equal(response.status, 401, `${method} ${JSON.stringify(headers)}`)
    t.same(await response.json(), {
      statusCode: 401,
      code: 'FST_GOOGLE_OAUTH_UNAUTHENTICATED',
      error: 'Unauthorized',
      message: 'Sign-in required.',
      loginUrl: '/login'
    })
    t.equal(response.headers.get('cache-control'), 'no-store')
  }
})

t.test('trusts nothing the client says: forged, unsigned or tampered cookies and identity headers', async (t) => {
  const app = await startApp(t)
  const signedIn = app.browser()
  await app.signIn(signedIn)
  const [name, value] = Object.entries(signedIn.cookiesFor(app.url)).find(([n]) => n === 'goauth.sid')!
  const [id = '', signature = ''] = value.split('.')
  const attempts: Array<[string, Record<string, string>]> = [
    ['no cookie', {}],
    ['unsigned session id', { cookie: `${name}=${id}` }],
    ['tampered signature', { cookie: `${name}=${id}.${signature.slice(0, -2)}xx` }],
    ['tampered id', { cookie: `${name}=${id.startsWith('x') ? 'y' : 'x'}${id.slice(1)}.${signature}` }],
    ['made-up id', { cookie: `${name}=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.${signature}` }],
    ['identity headers', { 'x-user': 'ada@example.com', 'x-google-user': '{"id":"1"}', 'x-forwarded-user': 'ada', authorization: 'Bearer ya29.fake' }]
  ]
  for (const [label, headers] of attempts) {
    const response = await send(`${app.url}/api/me`, { headers: { accept: 'application/json', ...headers } })
    t.equal(response.status, 401, label)
  }
  const genuine = await send(`${app.url}/api/me`, { headers: { cookie: `${name}=${value}` } })
  t.equal(genuine.status, 200, 'the genuine cookie still works')
})

t.test('the guard uses the configured login URL, or the start route when the page is disabled', async (t) => {
  const custom = await startApp(t, { plugin: { loginUrl: '/welcome' } })
  const a = await custom.browser().request(`${custom.url}/profile`, { headers: { accept: 'text/html' } })
  t.equal(a.headers.get('location'), '/welcome?returnTo=%2Fprofile')
  const noPage = await startApp(t, { plugin: { loginPage: false } })
  const b = await noPage.browser().request(`${noPage.url}/profile`, { headers: { accept: 'text/html' } })
  t.equal(b.headers.get('location'), '/oauth2/google?returnTo=%2Fprofile')
  t.equal((await noPage.browser().request(`${noPage.url}/login`)).status, 404, 'no login route')
  const landed = await noPage.signIn(noPage.browser(), '/profile')
  t.equal(landed, '/profile')
})

t.test('a client that sent a Bearer token gets no login URL: it signs in with Google\'s own SDK, not at the login page', async (t) => {
  const app = await startApp(t)
  const token = await send(`${app.url}/api/me`, { headers: { accept: 'application/json', authorization: `Bearer ${app.google.idTokenFor('ada@example.com')}` } })
  t.equal(token.status, 401, 'without the bearer option, the header is no credential')
  t.same(await token.json(), { statusCode: 401, code: 'FST_GOOGLE_OAUTH_UNAUTHENTICATED', error: 'Unauthorized', message: 'Sign-in required.' })
  const basic = await send(`${app.url}/api/me`, { headers: { accept: 'application/json', authorization: 'Basic YWRhOnNlY3JldA==' } })
  t.match(await basic.json(), { loginUrl: '/login' }, 'another scheme (a staging site\'s password) is a browser\'s: the login URL stays')

  const withBearer = await startApp(t, { plugin: { bearer: true } })
  const cookieClient = await send(`${withBearer.url}/api/me`, { headers: { accept: 'application/json' } })
  t.match(await cookieClient.json(), { code: 'FST_GOOGLE_OAUTH_UNAUTHENTICATED', loginUrl: '/login' }, 'with the bearer option, a request without the header may be a cookie client: the login URL stays')
})
