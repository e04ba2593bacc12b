import t from 'tap'
import { CLIENT_ID, startApp, type TestApp } from '../fixtures/app.js'

/** Signs a new browser in and returns the status and error code of the callback. */
async function attempt (app: TestApp): Promise<{ status: number, code?: string }> {
  const b = app.browser()
  const start = await b.request(`${app.url}/oauth2/google`)
  const atGoogle = await b.request(start.headers.get('location')!)
  const callback = await b.request(atGoogle.headers.get('location')!, { headers: { accept: 'application/json' } })
  return callback.status === 303 ? { status: 303 } : { status: callback.status, code: (await callback.json() as { code: string }).code }
}

const certFetches = (app: TestApp) => app.google.requests.filter((r) => r.endpoint === 'certs').length
const now = () => Math.floor(Date.now() / 1000)

t.test('Google rotating its keys: a new kid is picked up without waiting for the cache to expire', async (t) => {
  const app = await startApp(t)
  t.same(await attempt(app), { status: 303 })
  t.equal(certFetches(app), 1, 'keys fetched once, then cached')
  t.same(await attempt(app), { status: 303 })
  t.equal(certFetches(app), 1, 'cache used')
  app.google.rotateKeys()
  t.same(await attempt(app), { status: 303 }, 'signed with the new key: accepted')
  t.equal(certFetches(app), 2, 'keys fetched again once')
})

t.test('an unknown kid is refused, and cannot make us download keys more than every 30 s', async (t) => {
  const app = await startApp(t)
  t.same(await attempt(app), { status: 303 })
  app.google.tamperIdToken(({ header }) => ({ header: { ...header, kid: 'not-a-published-kid' } }))
  t.same(await attempt(app), { status: 502, code: 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID' })
  t.same(await attempt(app), { status: 502, code: 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID' })
  t.equal(certFetches(app), 2, 'one refetch for the unknown kid, none for the second')
})

t.test('audience and lifetime checks', async (t) => {
  const app = await startApp(t)
  const cases: Array<[string, Parameters<TestApp['google']['tamperIdToken']>[0]]> = [
    ['an array aud containing us', ({ claims }) => ({ claims: { ...claims, aud: [CLIENT_ID, 'other.apps.googleusercontent.com'] } })],
    ['a lifetime over 24 h', ({ claims }) => ({ claims: { ...claims, iat: now(), exp: now() + 25 * 3600 } })],
    ['issued two days ago and still valid for an hour (lifetime over 24 h)', ({ claims }) => ({ claims: { ...claims, iat: now() - 48 * 3600, exp: now() + 3600 } })],
    ['issued an hour in the future', ({ claims }) => ({ claims: { ...claims, iat: now() + 3600, exp: now() + 7200 } })],
    ['no iat', ({ claims }) => { const { iat: _iat, ...rest } = claims; return { claims: rest } }],
    ['an http issuer', ({ claims }) => ({ claims: { ...claims, iss: 'http://accounts.google.com' } })],
    ['a tampered payload', ({ claims }) => ({ claims: { ...claims, email: 'someone-else@example.com' }, signWith: 'rogue-key' })]
  ]
  for (const [name, tamper] of cases) {
    app.google.tamperIdToken(tamper)
    t.same(await attempt(app), { status: 502, code: 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID' }, name)
  }
  app.google.tamperIdToken(({ claims }) => ({ claims: { ...claims, iss: 'accounts.google.com' } }))
  t.same(await attempt(app), { status: 303 }, 'the short issuer form Google also uses is accepted')
})

t.test('the key download failing or hanging fails closed', async (t) => {
  const app = await startApp(t, { plugin: { googleTimeout: 300 } })
  app.google.misbehave('certs', 'server_error')
  t.same(await attempt(app), { status: 502, code: 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE' })
  app.google.reset()
  app.google.misbehave('certs', 'hang')
  t.same(await attempt(app), { status: 504, code: 'FST_GOOGLE_OAUTH_GOOGLE_TIMEOUT' })
  app.google.reset()
  t.same(await attempt(app), { status: 303 }, 'works again once Google does')
})
