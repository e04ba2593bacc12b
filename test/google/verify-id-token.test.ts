import t from 'tap'
import { startApp, type TestApp } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { until } from '../fixtures/wait.js'

/** Signs a new browser in and returns the status and error code of the callback. */
async function attempt (app: TestApp): Promise<{ status: number, code?: string }> {
  const b = app.browser()
  const start = await b.request(`${app.url}/oauth2/google`)
  const atGoogle = await b.request(start.headers.get('location')!)
  const callback = await b.request(atGoogle.headers.get('location')!, { headers: { accept: 'application/json' } })
  return callback.status === 303 ? { status: 303 } : { status: callback.status, code: (await callback.json() as { code: string }).code }
}

const certFetches = (app: TestApp) => app.google.requests.filter((r) => r.endpoint === 'certs').length

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

t.test('the short issuer form Google also uses is accepted', async (t) => {
  const app = await startApp(t)
  app.google.tamperIdToken(({ claims }) => ({ claims: { ...claims, iss: 'accounts.google.com' } }))
  t.same(await attempt(app), { status: 303 })
})

t.test('the key download failing or hanging fails closed', async (t) => {
  // Calls to Google are bounded on the plugin's clock: only the test moves it.
  const clock = testClock()
  const googleTimeout = 300
  const app = await startApp(t, { clock, plugin: { googleTimeout } })
  app.google.misbehave('certs', 'server_error')
  t.same(await attempt(app), { status: 502, code: 'FST_GOOGLE_OAUTH_GOOGLE_BAD_RESPONSE' })
  app.google.reset()
  app.google.misbehave('certs', 'hang')
  const before = certFetches(app)
  const hanging = attempt(app)
  await until(() => certFetches(app) > before, 'the key download to reach Google')
  await clock.tick(googleTimeout)
  t.same(await hanging, { status: 504, code: 'FST_GOOGLE_OAUTH_GOOGLE_TIMEOUT' })
  app.google.reset()
  t.same(await attempt(app), { status: 303 }, 'works again once Google does')
})

t.test('only RS256 signing keys of 2048 bits or more are taken from the key set', async (t) => {
  const { generateKeyPairSync, sign } = await import('node:crypto')
  const Fastify = (await import('fastify')).default
  const { createIdTokenVerifier } = await import('../../src/google/verify-id-token.js')
  const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits })
  const keys = { good: rsa(2048), weak: rsa(1024), enc: rsa(2048), rs512: rsa(2048) }
  const jwk = (name: keyof typeof keys, extra: object = {}) => ({ ...keys[name].publicKey.export({ format: 'jwk' }), kid: name, ...extra })
  const server = Fastify()
  server.get('/certs', async () => ({ keys: [jwk('good', { alg: 'RS256', use: 'sig' }), jwk('weak'), jwk('enc', { use: 'enc' }), jwk('rs512', { alg: 'RS512' }), { kty: 'EC', kid: 'ec', crv: 'P-256', x: 'x', y: 'y' }] }))
  t.teardown(() => server.close())
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  const verifier = createIdTokenVerifier({ jwksUrl: `${url}/certs`, timeout: 2000, clock: testClock(), clientId: 'client', now: Date.now })
  const now = Math.floor(Date.now() / 1000)
  const token = (name: keyof typeof keys) => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const signed = `${part({ alg: 'RS256', kid: name })}.${part({ iss: 'https://accounts.google.com', aud: 'client', sub: '1', iat: now, exp: now + 3600 })}`
    return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), keys[name].privateKey).toString('base64url')}`
  }
  const expected = { nonce: null, accessToken: null }
  t.equal((await verifier.verify(token('good'), expected)).user.id, '1')
  for (const name of ['weak', 'enc', 'rs512'] as const) {
    await t.rejects(verifier.verify(token(name), expected), { code: 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID', reason: 'unknown-kid' }, name)
  }
})

t.test('one token, one spelling: every other base64url spelling of a valid token is refused as malformed (security checklist row 41)', async (t) => {
  const { createIdTokenVerifier } = await import('../../src/google/verify-id-token.js')
  const { startFakeGoogle, DEFAULT_CLIENT } = await import('../../src/testing/index.js')
  const google = await startFakeGoogle()
  t.teardown(() => google.close())
  const verifier = createIdTokenVerifier({ jwksUrl: google.endpoints.jwks, timeout: 2000, clock: testClock(), clientId: DEFAULT_CLIENT.clientId, now: Date.now })
  const expected = { nonce: null, accessToken: null }
  const refusal = { code: 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID', reason: 'malformed' }
  const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const lengths = new Set<string>()
  // Fillers of 0 to 3 characters in the header and the claims give those parts every length mod 4.
  for (let n = 0; n < 4; n++) {
    google.tamperIdToken(({ header, claims }) => ({ header: { ...header, x: 'h'.repeat(n) }, claims: { ...claims, x: 'c'.repeat(n) } }))
    const token = google.idTokenFor('ada@example.com')
    t.equal((await verifier.verify(token, expected)).user.email, 'ada@example.com', `token ${n}: its own spelling verifies`)
    const parts = token.split('.')
    for (const [index, part] of parts.entries()) {
      const name = `token ${n}, ${['header', 'claims', 'signature'][index]!} (length 4n+${part.length % 4})`
      lengths.add(`${index}:${part.length % 4}`)
      const spellings: Array<[string, string]> = [
        ['"=" padding', part + '='.repeat((4 - part.length % 4) % 4 || 1)],
        ['length 4n+1', part + 'A'.repeat((5 - part.length % 4) % 4 || 4)]
      ]
      if (/[-_]/.test(part)) spellings.push(['"-" and "_" as "+" and "/"', part.replaceAll('-', '+').replaceAll('_', '/')])
      // The last character of 4n+2 characters carries 4 unused bits, of 4n+3 characters 2.
      const unused = [0, 0, 0b1111, 0b11][part.length % 4]!
      const last = DIGITS.indexOf(part.at(-1)!)
      for (let bits = 1; bits <= unused; bits++) spellings.push([`stray bits ${bits}`, part.slice(0, -1) + DIGITS[last ^ bits]!])
      for (const [change, spelling] of spellings) {
        await t.rejects(verifier.verify(parts.with(index, spelling).join('.'), expected), refusal, `${name}: ${change}`)
      }
    }
  }
  google.tamperIdToken(null)
  t.same([...lengths].sort(), ['0:0', '0:2', '0:3', '1:0', '1:2', '1:3', '2:2'], 'the header and the claims had every length a part can have, the RS256 signature its 342 characters (4n+2)')
  const [header, claims] = google.idTokenFor('ada@example.com').split('.')
  await t.rejects(verifier.verify(`${header!}.${claims!}.`, expected), refusal, 'an empty signature')
})
