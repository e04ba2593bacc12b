import { Script } from 'node:vm'
import t from 'tap'
import { OAuth2Client } from 'google-auth-library'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose'
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_CLIENT,
  startFakeGoogle,
  type FakeGoogle,
  type FakeGoogleOptions
} from '../../src/testing/index.js'

const ISSUER = 'https://accounts.google.com'
const [ADA, GRACE, CHARLES] = DEFAULT_ACCOUNTS as [typeof DEFAULT_ACCOUNTS[0], typeof DEFAULT_ACCOUNTS[0], typeof DEFAULT_ACCOUNTS[0]]
/** An authorized JavaScript origin of the default client: the origin of its redirect URIs. */
const PAGE_ORIGIN = 'http://127.0.0.1:3000'
const OTHER_CLIENT = {
  clientId: 'other.apps.googleusercontent.com',
  clientSecret: 'other-secret',
  redirectUris: ['http://127.0.0.1:4000/cb'],
  javascriptOrigins: ['http://app.example:8080']
}
/** Claims of a GIS credential, in Google's order. */
const CREDENTIAL_CLAIMS = [
  'iss', 'azp', 'aud', 'sub', 'email', 'email_verified', 'nonce', 'nbf', 'name', 'picture', 'given_name', 'family_name', 'iat', 'exp', 'jti'
]

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface CredentialRequest {
  client_id?: unknown
  sub?: unknown
  nonce?: unknown
  select_by?: unknown
}

/** What the GSI script posts when an account is chosen, from a page of `origin` (none: no Origin header). */
async function askCredential (fake: FakeGoogle, body: CredentialRequest, origin: string | null = PAGE_ORIGIN): Promise<Response> {
  return await fetch(new URL('/gsi/credential', fake.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin !== null && { origin }) },
    body: JSON.stringify(body)
  })
}

async function credentialOf (res: Response): Promise<string> {
  const body = await res.json() as { credential?: string }
  if (res.status !== 200 || typeof body.credential !== 'string') throw new Error(`expected a credential, got ${res.status} ${JSON.stringify(body)}`)
  return body.credential
}

/** Verifies an ID token as an app would with jose: against the fake's JWKS endpoint, RS256 only. */
async function verify (fake: FakeGoogle, token: string, audience: string = DEFAULT_CLIENT.clientId): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(fake.endpoints.jwks)), { issuer: ISSUER, audience, algorithms: ['RS256'] })
  return payload
}

async function withFake (t: { teardown: (fn: () => Promise<void>) => void }, options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const fake = await startFakeGoogle(options)
  t.teardown(() => fake.close())
  return fake
}

let google: FakeGoogle
t.before(async () => {
  google = await startFakeGoogle({ clients: [DEFAULT_CLIENT, OTHER_CLIENT] })
})
t.afterEach(() => google.reset())
t.teardown(() => google.close())

// ---------------------------------------------------------------------------------------------
// The script and its stylesheet
// ---------------------------------------------------------------------------------------------

t.test('gsi/client serves a script that reads the HTML API, lists the accounts, and needs no eval or inline style', async (t) => {
  t.equal(google.endpoints.gsiClient, `${google.url}/gsi/client`)
  const res = await fetch(google.endpoints.gsiClient)
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8')
  t.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin', 'loadable by pages of any origin')
  t.match(res.headers.get('cache-control'), /no-store/, 'it embeds the current accounts, so it is never cached')
  const script = await res.text()
  t.doesNotThrow(() => new Script(script), 'it is valid JavaScript')
  for (const needle of ['g_id_onload', 'g_id_signin', 'data-client_id', 'data-login_uri', 'data-nonce', 'data-auto_prompt', 'g_csrf_token']) {
    t.ok(script.includes(needle), `handles ${needle}`)
  }
  t.ok(script.includes(JSON.stringify(`${google.url}`)), 'knows its own origin, for the stylesheet and the credential endpoint')
  for (const account of DEFAULT_ACCOUNTS) t.ok(script.includes(account.name) && script.includes(account.email), `lists ${account.email}`)
  t.notMatch(script, /\beval\s*\(|new Function|setTimeout\s*\(\s*['"]|innerHTML|outerHTML|insertAdjacentHTML|document\.write/, 'no string evaluation, no markup')
  t.notMatch(script, /setAttribute\(\s*['"](style|on\w+)['"]/, 'no inline style or handler attributes')

  const style = await fetch(new URL('/gsi/style', google.url))
  t.equal(style.status, 200)
  t.equal(style.headers.get('content-type'), 'text/css; charset=utf-8')
  const css = await style.text()
  t.match(css, /\.fake-gsi-dialog\{position:fixed;top:16px;right:16px/, 'the dialog sits in the top right corner')
  t.match(css, /prefers-color-scheme:dark/)
})

t.test('setAutoConsent("deny"): the script offers no account and the credential endpoint says access_denied', async (t) => {
  google.setAutoConsent('deny')
  const script = await (await fetch(google.endpoints.gsiClient)).text()
  t.ok(script.includes('"denied":true'), 'the dialog will say access was denied and list no account')
  const res = await askCredential(google, { client_id: DEFAULT_CLIENT.clientId, sub: ADA.sub, select_by: 'user' })
  t.equal(res.status, 400)
  t.same(await res.json(), { error: 'access_denied' })
  google.reset()
  t.ok((await (await fetch(google.endpoints.gsiClient)).text()).includes('"denied":false'), 'reset() allows choosing again')
})

// ---------------------------------------------------------------------------------------------
// POST /gsi/credential
// ---------------------------------------------------------------------------------------------

t.test('CORS: the preflight allows exactly an authorized JavaScript origin, POST and content-type, without credentials', async (t) => {
  const preflight = async (origin: string) => fetch(new URL('/gsi/credential', google.url), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }
  })
  for (const origin of [PAGE_ORIGIN, 'http://localhost:3000', 'http://app.example:8080']) {
    const res = await preflight(origin)
    t.equal(res.status, 204, origin)
    t.equal(res.headers.get('access-control-allow-origin'), origin, `${origin}: that exact origin, not *`)
    t.equal(res.headers.get('access-control-allow-methods'), 'POST')
    t.equal(res.headers.get('access-control-allow-headers'), 'content-type')
    t.equal(res.headers.get('access-control-allow-credentials'), null, 'no credentials')
    t.match(res.headers.get('vary'), /Origin/)
  }
  for (const origin of ['http://evil.example', 'http://127.0.0.1:3001', 'https://127.0.0.1:3000', 'null']) {
    const res = await preflight(origin)
    t.equal(res.headers.get('access-control-allow-origin'), null, `${origin}: not allowed, so the browser never sends the POST`)
    t.equal(res.headers.get('access-control-allow-methods'), null)
  }
})

t.test('the credential is an ID token as Google Identity Services issues it, verified with jose against the JWKS', async (t) => {
  const res = await askCredential(google, { client_id: DEFAULT_CLIENT.clientId, sub: ADA.sub, nonce: 'page-nonce', select_by: 'user' })
  t.equal(res.status, 200)
  t.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN, 'the page may read the answer')
  t.match(res.headers.get('cache-control'), /no-store/)
  const credential = await credentialOf(res)
  t.same(decodeProtectedHeader(credential), { alg: 'RS256', kid: google.signingKey.kid, typ: 'JWT' })
  const claims = await verify(google, credential)
  t.same(Object.keys(claims), CREDENTIAL_CLAIMS, 'Google\'s claims in Google\'s order: no at_hash, no locale')
  t.match(claims, {
    iss: ISSUER,
    azp: DEFAULT_CLIENT.clientId,
    aud: DEFAULT_CLIENT.clientId,
    sub: ADA.sub,
    email: ADA.email,
    email_verified: true,
    nonce: 'page-nonce',
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    picture: /^data:image\/svg\+xml,/
  })
  t.equal(claims.nbf, claims.iat! - 300, 'nbf five minutes before iat')
  t.equal(claims.exp, claims.iat! + 3600, 'an hour long')
  t.ok(Math.abs(claims.iat! - Date.now() / 1000) < 5, 'issued now')
  t.match(claims.jti, /^[0-9a-f]{40}$/)

  const again = decodeJwt(await credentialOf(await askCredential(google, { client_id: DEFAULT_CLIENT.clientId, sub: ADA.sub, select_by: 'btn' })))
  t.notOk('nonce' in again, 'no nonce claim when none was sent')
  t.not(again.jti, claims.jti, 'each credential has its own jti')

  const charles = decodeJwt(await credentialOf(await askCredential(google, { client_id: DEFAULT_CLIENT.clientId, sub: CHARLES.sub, select_by: 'user' })))
  t.equal(charles.hd, 'analytical.example', 'hd for a Workspace account')
  t.equal(Object.keys(charles).indexOf('hd'), Object.keys(charles).indexOf('sub') + 1, 'right after sub, as Google puts it')
  t.notOk('hd' in claims, 'no hd for a consumer account')

  const other = await askCredential(google, { client_id: OTHER_CLIENT.clientId, sub: GRACE.sub, select_by: 'user' }, 'http://app.example:8080')
  const otherClaims = await verify(google, await credentialOf(other), OTHER_CLIENT.clientId)
  t.match(otherClaims, { aud: OTHER_CLIENT.clientId, azp: OTHER_CLIENT.clientId, sub: GRACE.sub }, 'aud and azp are the asking client')
})

t.test('refusals: an unregistered client, a wrong or missing Origin, and malformed requests', async (t) => {
  const refused = async (res: Response, error: string, message: string) => {
    t.equal(res.status, 400, message)
    t.same(await res.json(), { error }, message)
  }
  const good = { client_id: DEFAULT_CLIENT.clientId, sub: ADA.sub, select_by: 'user' }
  await refused(await askCredential(google, { ...good, client_id: 'nobody.apps.googleusercontent.com' }), 'invalid_client', 'unregistered client')
  await refused(await askCredential(google, { ...good, client_id: undefined }), 'invalid_client', 'no client_id')

  const evil = await askCredential(google, good, 'http://evil.example')
  await refused(evil, 'origin_mismatch', 'an origin no client authorizes')
  t.equal(evil.headers.get('access-control-allow-origin'), null, 'which cannot even read the answer')
  const otherClients = await askCredential(google, good, 'http://app.example:8080')
  await refused(otherClients, 'origin_mismatch', 'another client\'s origin')
  t.equal(otherClients.headers.get('access-control-allow-origin'), 'http://app.example:8080', 'an authorized origin can read why')
  await refused(await askCredential(google, { ...good, client_id: OTHER_CLIENT.clientId }), 'origin_mismatch',
    'a redirect URI\'s origin does not count once javascriptOrigins is given')
  await refused(await askCredential(google, good, null), 'origin_mismatch', 'no Origin header (not a browser)')
  await refused(await askCredential(google, good, `${PAGE_ORIGIN}/`), 'origin_mismatch', 'origins match exactly')

  await refused(await askCredential(google, { ...good, sub: '999' }), 'invalid_request', 'an unknown account')
  await refused(await askCredential(google, { ...good, select_by: 'magic' }), 'invalid_request', 'an unknown select_by')
  await refused(await askCredential(google, { ...good, select_by: undefined }), 'invalid_request', 'no select_by')
  await refused(await askCredential(google, { ...good, nonce: 42 }), 'invalid_request', 'a nonce that is not a string')
})

t.test('tamperIdToken applies to credentials, oneTapCredentialFor and idTokenFor alike', async (t) => {
  google.tamperIdToken(({ claims }) => { claims.aud = 'someone-else.apps.googleusercontent.com' })
  const tampered = [
    await credentialOf(await askCredential(google, { client_id: DEFAULT_CLIENT.clientId, sub: ADA.sub, select_by: 'user' })),
    google.oneTapCredentialFor(ADA.email),
    google.idTokenFor(ADA.email)
  ]
  for (const token of tampered) {
    t.equal(decodeJwt(token).aud, 'someone-else.apps.googleusercontent.com')
    await t.rejects(verify(google, token), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' })
  }

  google.tamperIdToken(() => ({ signWith: 'rogue-key' }))
  const forged = google.oneTapCredentialFor(ADA.email)
  t.equal(decodeProtectedHeader(forged).kid, google.signingKey.kid, 'the forgery claims the real kid')
  await t.rejects(verify(google, forged), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' })

  google.tamperIdToken(() => ({ signWith: 'none' }))
  t.equal(decodeProtectedHeader(google.idTokenFor(ADA.email)).alg, 'none')

  google.reset()
  await t.resolves(verify(google, google.oneTapCredentialFor(ADA.email)), 'reset() clears tampering')
})

t.test('requests record the GSI routes without the credential, nonce or account', async (t) => {
  const fake = await withFake(t)
  await fetch(fake.endpoints.gsiClient)
  await fetch(new URL('/gsi/style', fake.url))
  await fetch(new URL('/gsi/credential', fake.url), { method: 'OPTIONS', headers: { origin: PAGE_ORIGIN, 'access-control-request-method': 'POST' } })
  const credential = await credentialOf(await askCredential(fake, { client_id: DEFAULT_CLIENT.clientId, sub: ADA.sub, nonce: 'secret-nonce', select_by: 'user' }))
  t.same(fake.requests.map((r) => `${r.method} ${r.endpoint} ${r.path}`), [
    'GET gsi /gsi/client', 'GET gsi /gsi/style', 'OPTIONS gsi /gsi/credential', 'POST gsi /gsi/credential'
  ])
  const recorded = JSON.stringify(fake.requests)
  for (const secret of [credential, 'secret-nonce', ADA.sub]) t.notOk(recorded.includes(secret), `no ${secret.slice(0, 12)}…`)
})

t.test('javascriptOrigins are checked when a client is registered', async (t) => {
  const client = (javascriptOrigins: unknown) => ({ ...OTHER_CLIENT, javascriptOrigins: javascriptOrigins as string[] })
  await t.rejects(startFakeGoogle({ clients: [client(['http://127.0.0.1:3000/'])] }), /javascriptOrigins\[0\] must be an origin/)
  await t.rejects(startFakeGoogle({ clients: [client(['http://127.0.0.1:3000/app'])] }), /no path or trailing slash/)
  await t.rejects(startFakeGoogle({ clients: [client('http://127.0.0.1:3000')] }), /must be an array of origins/)
  t.throws(() => google.addClient({ ...client(['nope']), clientId: 'third' }), /javascriptOrigins\[0\]/)
})

// ---------------------------------------------------------------------------------------------
// ID tokens without a browser
// ---------------------------------------------------------------------------------------------

t.test('oneTapCredentialFor gives what the credential endpoint gives, for a registered client', async (t) => {
  const fromEndpoint = decodeJwt(await credentialOf(await askCredential(google, { client_id: DEFAULT_CLIENT.clientId, sub: GRACE.sub, nonce: 'n-1', select_by: 'user' })))
  const direct = await verify(google, google.oneTapCredentialFor(GRACE, { nonce: 'n-1' }))
  t.same(Object.keys(direct), Object.keys(fromEndpoint), 'the same claims in the same order')
  const { jti: _a, iat: _b, nbf: _c, exp: _d, ...stable } = direct
  t.match(fromEndpoint, stable, 'with the same values')

  const other = await verify(google, google.oneTapCredentialFor(CHARLES.sub, { clientId: OTHER_CLIENT.clientId, claims: { email_verified: false } }), OTHER_CLIENT.clientId)
  t.match(other, { aud: OTHER_CLIENT.clientId, azp: OTHER_CLIENT.clientId, sub: CHARLES.sub, hd: 'analytical.example', email_verified: false })
  t.notOk('nonce' in other)

  t.throws(() => google.oneTapCredentialFor(ADA.email, { clientId: 'nobody' }), /oneTapCredentialFor: no client "nobody"/)
  t.throws(() => google.oneTapCredentialFor('nobody@example.com'), /oneTapCredentialFor: no account/)
})

t.test('idTokenFor: a mobile app\'s ID token for the server, with aud, azp, nonce, claims and lifetime chosen', async (t) => {
  const plain = await verify(google, google.idTokenFor(ADA.email))
  t.match(plain, { iss: ISSUER, aud: DEFAULT_CLIENT.clientId, azp: DEFAULT_CLIENT.clientId, sub: ADA.sub, email: ADA.email })
  t.equal(plain.exp! - plain.iat!, 3600, 'an hour by default')
  t.notOk('nonce' in plain)

  const android = await verify(google, google.idTokenFor(GRACE.sub, {
    audience: 'server.apps.googleusercontent.com',
    authorizedParty: 'android.apps.googleusercontent.com',
    nonce: 'app-nonce',
    lifetimeSeconds: 600
  }), 'server.apps.googleusercontent.com')
  t.match(android, { aud: 'server.apps.googleusercontent.com', azp: 'android.apps.googleusercontent.com', nonce: 'app-nonce', sub: GRACE.sub })
  t.equal(android.exp! - android.iat!, 600)

  const noAzp = decodeJwt(google.idTokenFor(ADA, { authorizedParty: null }))
  t.notOk('azp' in noAzp, 'null leaves azp out')

  const changed = decodeJwt(google.idTokenFor(ADA.email, { claims: { email_verified: false, hd: 'example.com', role: 'admin', name: undefined, picture: undefined } }))
  t.match(changed, { email_verified: false, hd: 'example.com', role: 'admin' }, 'claims replaced and added')
  t.notOk('name' in changed || 'picture' in changed, 'a claim set to undefined is removed')

  const gal = new OAuth2Client({ clientId: DEFAULT_CLIENT.clientId, endpoints: google.oauth2ClientEndpoints, issuers: [ISSUER] })
  const ticket = await gal.verifyIdToken({ idToken: google.idTokenFor(ADA.email), audience: DEFAULT_CLIENT.clientId })
  t.equal(ticket.getPayload()?.sub, ADA.sub, 'google-auth-library accepts it too')

  t.throws(() => google.idTokenFor('nobody@example.com'), /idTokenFor: no account/)
  t.throws(() => google.idTokenFor(ADA.email, { lifetimeSeconds: 0 }), /lifetimeSeconds must be a positive integer/)
  t.throws(() => google.idTokenFor(ADA.email, { audience: '' }), /audience must be a non-empty string/)
  t.throws(() => google.idTokenFor(ADA.email, { claims: [] as never }), /claims must be an object/)
})

t.test('idTokenFor follows the fake\'s clock and its current key', async (t) => {
  const now = Date.parse('2030-01-01T00:00:00Z')
  const fake = await withFake(t, { now: () => now })
  const claims = decodeJwt(fake.idTokenFor(ADA.email))
  t.equal(claims.iat, now / 1000)
  t.equal(claims.nbf, now / 1000 - 300)
  const before = fake.signingKey.kid
  fake.rotateKeys()
  t.equal(decodeProtectedHeader(fake.idTokenFor(ADA.email)).kid, fake.signingKey.kid)
  t.not(fake.signingKey.kid, before)
})
