import { createHash } from 'node:crypto'
import t, { type Test } from 'tap'
import { ClientAuthentication, OAuth2Client } from 'google-auth-library'
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_CLIENT,
  startFakeGoogle,
  type FakeGoogle,
  type FakeGoogleOptions,
  type Misbehaviour
} from '../../src/testing/index.js'
import { until } from '../fixtures/wait.js'

const ISSUER = 'https://accounts.google.com'
const REDIRECT_URI = DEFAULT_CLIENT.redirectUris[0]!
const [ADA, GRACE, CHARLES] = DEFAULT_ACCOUNTS as [typeof DEFAULT_ACCOUNTS[0], typeof DEFAULT_ACCOUNTS[0], typeof DEFAULT_ACCOUNTS[0]]
const GOOGLE_SCOPE_ECHO = 'email profile openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'
const GOOGLE_TOKEN_SCOPE = 'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface ClientOptions {
  clientSecret?: string
  basic?: boolean
  /** Keep google-auth-library's default retries (3 on 5xx/429, 2 without response). */
  retries?: boolean
}

/** google-auth-library's real OAuth2Client, pointed at the fake. */
function oauthClient (fake: FakeGoogle, opts: ClientOptions = {}): OAuth2Client {
  return new OAuth2Client({
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: opts.clientSecret ?? DEFAULT_CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
    endpoints: fake.oauth2ClientEndpoints,
    issuers: [ISSUER],
    ...(opts.basic === true ? { clientAuthentication: ClientAuthentication.ClientSecretBasic } : {}),
    // No retries, so that each request is the test's own; and no timeout of its own: the fake answers
    // (a loaded machine can take seconds for the first answer), and a fake that hangs fails the file.
    ...(opts.retries === true ? {} : { transporterOptions: { retryConfig: { retry: 0, noResponseRetries: 0 } } })
  })
}

interface AuthorizeOptions {
  state?: string
  nonce?: string
  accessType?: 'online' | 'offline'
  prompt?: string
  loginHint?: string
  hd?: string
  scope?: string
  pkce?: boolean
}

interface Authorized {
  location: URL
  codeVerifier: string | undefined
}

/** Runs the authorization request the way a browser would, returning where it was redirected. */
async function authorize (fake: FakeGoogle, client: OAuth2Client, o: AuthorizeOptions = {}): Promise<Authorized> {
  const pkce = o.pkce === false ? undefined : await client.generateCodeVerifierAsync()
  const url = client.generateAuthUrl({
    scope: o.scope ?? 'openid email profile',
    ...(o.state !== undefined ? { state: o.state } : {}),
    ...(o.nonce !== undefined ? { nonce: o.nonce } : {}),
    ...(o.accessType !== undefined ? { access_type: o.accessType } : {}),
    ...(o.prompt !== undefined ? { prompt: o.prompt } : {}),
    ...(o.loginHint !== undefined ? { login_hint: o.loginHint } : {}),
    ...(o.hd !== undefined ? { hd: o.hd } : {}),
    ...(pkce !== undefined ? { code_challenge: pkce.codeChallenge, code_challenge_method: 'S256' as never } : {})
  })
  if (!url.startsWith(fake.endpoints.authorization + '?')) throw new Error('generateAuthUrl does not point at the fake')
  const res = await fetch(url, { redirect: 'manual' })
  const location = res.headers.get('location')
  if (res.status !== 302 || location === null) throw new Error(`expected a redirect, got ${res.status}`)
  return { location: new URL(location), codeVerifier: pkce?.codeVerifier }
}

/** A full sign-in through google-auth-library: authorize, exchange the code, verify the ID token. */
async function signIn (fake: FakeGoogle, client: OAuth2Client, o: AuthorizeOptions = {}) {
  const { location, codeVerifier } = await authorize(fake, client, o)
  const code = location.searchParams.get('code')
  if (code === null) throw new Error(`no code in ${location.href}`)
  const { tokens } = await client.getToken({ code, ...(codeVerifier !== undefined ? { codeVerifier } : {}), redirect_uri: REDIRECT_URI })
  const ticket = await client.verifyIdToken({ idToken: tokens.id_token!, audience: DEFAULT_CLIENT.clientId })
  return { location, code, codeVerifier, tokens, payload: ticket.getPayload()!, envelope: ticket.getEnvelope() as unknown as Record<string, unknown> }
}

/** The GaxiosError a promise rejects with. */
async function gaxiosError (promise: Promise<unknown>): Promise<{ message: string; code?: string; status?: number; response?: { status: number; data: any } }> {
  try {
    await promise
  } catch (err) {
    return err as never
  }
  throw new Error('expected a rejection')
}

/** POSTs a form to the token endpoint with client_secret_post. */
async function postToken (fake: FakeGoogle, params: Record<string, string>, init: RequestInit = {}): Promise<Response> {
  return await fetch(fake.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret, redirect_uri: REDIRECT_URI, ...params }),
    ...init
  })
}

function decodeJwt (jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = jwt.split('.')
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), claims: JSON.parse(Buffer.from(c!, 'base64url').toString()) }
}

async function withFake (t: { teardown: (fn: () => Promise<void>) => void }, options: FakeGoogleOptions): Promise<FakeGoogle> {
  const fake = await startFakeGoogle(options)
  t.teardown(() => fake.close())
  return fake
}

// The shared fake: auto-consent as Ada unless a test says otherwise; reset after each test.
let google: FakeGoogle
t.before(async () => {
  google = await startFakeGoogle({ autoConsent: true })
})
t.afterEach(() => google.reset())
t.teardown(() => google.close())

// ---------------------------------------------------------------------------------------------
// Compatibility with google-auth-library
// ---------------------------------------------------------------------------------------------

t.test('google-auth-library signs in end to end: auth URL, code, getToken with PKCE, verifyIdToken', async (t) => {
  const client = oauthClient(google)
  const { location, tokens, payload, envelope } = await signIn(google, client, { state: 'st-1', nonce: 'nonce-1' })

  t.equal(location.origin + location.pathname, REDIRECT_URI, 'redirects to the registered redirect URI')
  t.match(location.searchParams.get('code'), /^4\/0A[\w-]{40,}$/, 'code looks like Google\'s')
  t.equal(location.searchParams.get('state'), 'st-1')
  t.equal(location.searchParams.get('scope'), GOOGLE_SCOPE_ECHO, 'scope echoed the way Google writes it')
  t.equal(location.searchParams.get('authuser'), '0')
  t.equal(location.searchParams.get('prompt'), 'consent', 'first consent reports prompt=consent')
  t.notOk(location.searchParams.has('hd'), 'no hd for a consumer account')

  t.match(tokens.access_token, /^ya29\./)
  t.equal(tokens.token_type, 'Bearer')
  t.equal(tokens.scope, GOOGLE_TOKEN_SCOPE)
  t.notOk(tokens.refresh_token, 'no refresh token without access_type=offline')
  t.ok(tokens.expiry_date! > Date.now() + 3500_000, 'expires_in 3599 became expiry_date')

  t.same(envelope, { alg: 'RS256', kid: google.signingKey.kid, typ: 'JWT' })
  t.match(payload, {
    iss: ISSUER,
    aud: DEFAULT_CLIENT.clientId,
    azp: DEFAULT_CLIENT.clientId,
    sub: ADA.sub,
    email: 'ada@example.com',
    email_verified: true,
    nonce: 'nonce-1',
    name: 'Ada Lovelace',
    given_name: 'Ada',
    family_name: 'Lovelace',
    locale: 'en'
  })
  t.notOk('hd' in payload, 'no hd claim for a consumer account')
  t.match(payload.picture, /^data:image\/svg\+xml,/, 'picture works offline')
  t.equal(payload.exp - payload.iat, 3600)
  const digest = createHash('sha256').update(tokens.access_token!).digest()
  t.equal(payload.at_hash, digest.subarray(0, 16).toString('base64url'), 'at_hash is the left half of SHA-256 of the access token')
})

t.test('a Workspace account gets hd in the callback and the ID token', async (t) => {
  google.setAutoConsent('charles@analytical.example')
  const { location, payload } = await signIn(google, oauthClient(google), { hd: 'analytical.example' })
  t.equal(location.searchParams.get('hd'), 'analytical.example')
  t.equal(payload.hd, 'analytical.example')
  t.equal(payload.sub, CHARLES.sub)
  t.equal(payload.locale, 'en-GB')
})

t.test('the token response has Google\'s headers and field order', async (t) => {
  const { code } = google.issueCodeFor(GRACE.email)
  const basic = Buffer.from(`${DEFAULT_CLIENT.clientId}:${DEFAULT_CLIENT.clientSecret}`).toString('base64')
  const res = await fetch(google.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', authorization: `Basic ${basic}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
  })
  t.equal(res.status, 200, 'client_secret_basic is accepted')
  t.equal(res.headers.get('cache-control'), 'no-cache, no-store, max-age=0, must-revalidate')
  t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  const body = await res.json() as Record<string, unknown>
  t.same(Object.keys(body), ['access_token', 'expires_in', 'scope', 'token_type', 'id_token'])
  t.equal(body.expires_in, 3599)
  t.equal(decodeJwt(body.id_token as string).claims.sub, GRACE.sub)
})

t.test('client_secret_basic through google-auth-library works too', async (t) => {
  const { payload } = await signIn(google, oauthClient(google, { basic: true }))
  t.equal(payload.sub, ADA.sub)
})

t.test('scopes decide which claims are released', async (t) => {
  const { tokens, payload } = await signIn(google, oauthClient(google), { scope: 'openid email' })
  t.equal(tokens.scope, 'openid https://www.googleapis.com/auth/userinfo.email')
  t.equal(payload.email, ADA.email)
  t.notOk('name' in payload, 'no profile claims without the profile scope')
  const res = await fetch(google.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.same(await res.json(), { sub: ADA.sub, email: ADA.email, email_verified: true })
})

// ---------------------------------------------------------------------------------------------
// Account chooser
// ---------------------------------------------------------------------------------------------

function authUrl (params: Record<string, string>): string {
  return `${google.endpoints.authorization}?${new URLSearchParams({
    client_id: DEFAULT_CLIENT.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid email profile', ...params
  })}`
}

function requestIdOf (html: string): string {
  const match = /name="request" value="([^"]+)"/.exec(html)
  if (match === null) throw new Error('no request id in the chooser')
  return match[1]!
}

async function decide (form: Record<string, string>): Promise<Response> {
  return await fetch(new URL('/o/oauth2/v2/auth/decide', google.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form)
  })
}

t.test('the chooser lists the accounts, is self-contained, and its form signs in', async (t) => {
  google.setAutoConsent(false)
  const res = await fetch(authUrl({ state: 'chooser-state', nonce: 'chooser-nonce' }))
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/html/)
  t.match(res.headers.get('content-security-policy'), /default-src 'none'/)
  const html = await res.text()
  for (const account of DEFAULT_ACCOUNTS) {
    t.ok(html.includes(account.name) && html.includes(account.email), `lists ${account.email}`)
    t.ok(html.includes(`name="account" value="${account.sub}"`), `a button for ${account.email}`)
  }
  t.match(html, /local test provider/i, 'says it is a local test provider')
  t.match(html, /shares its name and profile picture and email address with/, 'says what consenting shares')
  t.match(html, /<form method="post" action="\/o\/oauth2\/v2\/auth\/decide"/)
  t.match(html, /name="action" value="deny">Cancel</)
  t.match(html, /prefers-color-scheme:dark/)
  t.match(html, /:focus-visible/)
  t.notMatch(html, /(src|href)="https?:/, 'no external assets')
  t.notMatch(html, /<script/i)
  t.notOk(html.includes('chooser-state') || html.includes('chooser-nonce'), 'request parameters stay server-side')

  const chosen = await decide({ request: requestIdOf(html), account: GRACE.sub })
  t.equal(chosen.status, 302)
  const location = new URL(chosen.headers.get('location')!)
  t.equal(location.searchParams.get('state'), 'chooser-state')
  const { tokens } = await oauthClient(google).getToken({ code: location.searchParams.get('code')!, redirect_uri: REDIRECT_URI })
  const claims = decodeJwt(tokens.id_token!).claims
  t.equal(claims.sub, GRACE.sub, 'the chosen account signed in')
  t.equal(claims.nonce, 'chooser-nonce', 'the nonce was carried through the chooser')

  const again = await decide({ request: requestIdOf(html), account: ADA.sub })
  t.equal(again.status, 400, 'a chooser request is answered once')
  t.notOk(again.headers.get('location'))

  const next = await (await fetch(authUrl({}))).text()
  const stranger = await decide({ request: requestIdOf(next), account: '999' })
  t.equal(stranger.status, 400, 'only listed accounts can be chosen')
  t.notOk(stranger.headers.get('location'))
})

t.test('Cancel in the chooser and setAutoConsent("deny") redirect with access_denied', async (t) => {
  google.setAutoConsent(false)
  const html = await (await fetch(authUrl({ state: 'deny-me' }))).text()
  const cancelled = await decide({ request: requestIdOf(html), action: 'deny' })
  const location = new URL(cancelled.headers.get('location')!)
  t.equal(location.searchParams.get('error'), 'access_denied')
  t.equal(location.searchParams.get('state'), 'deny-me')
  t.notOk(location.searchParams.has('code'))

  google.setAutoConsent('deny')
  const denied = await fetch(authUrl({}), { redirect: 'manual' })
  const deniedAt = new URL(denied.headers.get('location')!)
  t.equal(deniedAt.searchParams.get('error'), 'access_denied')
  t.notOk(deniedAt.searchParams.has('state'), 'no state when none was sent')
  t.throws(() => google.setAutoConsent('nobody@example.com'), /matches no account/)
})

t.test('login_hint preselects and hd narrows the chooser; autoConsent true follows them', async (t) => {
  google.setAutoConsent(false)
  const hinted = await (await fetch(authUrl({ login_hint: GRACE.email }))).text()
  const firstButton = /name="account" value="(\d+)"( autofocus)?/.exec(hinted)
  t.equal(firstButton?.[1], GRACE.sub, 'the hinted account comes first')
  t.equal(firstButton?.[2], ' autofocus', 'and has focus')

  const domain = await (await fetch(authUrl({ hd: 'analytical.example' }))).text()
  t.ok(domain.includes(CHARLES.email))
  t.notOk(domain.includes(ADA.email) || domain.includes(GRACE.email), 'only the domain\'s accounts')
  const unknownDomain = await (await fetch(authUrl({ hd: 'elsewhere.example' }))).text()
  t.ok(DEFAULT_ACCOUNTS.every((a) => unknownDomain.includes(a.email)), 'every account when none is in the domain')

  google.setAutoConsent(true)
  const auto = await fetch(authUrl({ login_hint: GRACE.sub }), { redirect: 'manual' })
  const { code } = Object.fromEntries(new URL(auto.headers.get('location')!).searchParams)
  const { tokens } = await oauthClient(google).getToken({ code: code!, redirect_uri: REDIRECT_URI })
  t.equal(decodeJwt(tokens.id_token!).claims.sub, GRACE.sub)
})

t.test('pages escape every reflected value', async (t) => {
  const fake = await withFake(t, {
    accounts: [{ sub: '1', email: 'x@example.com', name: '<script>alert(1)</script> "Mallory"' }]
  })
  const chooser = await (await fetch(`${fake.endpoints.authorization}?${new URLSearchParams({
    client_id: DEFAULT_CLIENT.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid'
  })}`)).text()
  t.notOk(chooser.includes('<script>'))
  t.ok(chooser.includes('&lt;script&gt;alert(1)&lt;/script&gt; &quot;Mallory&quot;'))

  const evil = 'http://evil.example/"><script>alert(2)</script>'
  const error = await (await fetch(`${fake.endpoints.authorization}?${new URLSearchParams({
    client_id: DEFAULT_CLIENT.clientId, redirect_uri: evil, response_type: 'code', scope: 'openid'
  })}`)).text()
  t.notOk(error.includes('<script>'))
  t.ok(error.includes('&quot;&gt;&lt;script&gt;alert(2)'))
})

// ---------------------------------------------------------------------------------------------
// Authorization errors
// ---------------------------------------------------------------------------------------------

t.test('authorization errors: pages for bad clients and redirect URIs, redirects for the rest', async (t) => {
  const unknown = await fetch(authUrl({ client_id: 'who.apps.googleusercontent.com' }), { redirect: 'manual' })
  t.equal(unknown.status, 401)
  t.notOk(unknown.headers.get('location'), 'no redirect for an unknown client')
  t.match(await unknown.text(), 'Error 401: invalid_client')

  const mismatch = await fetch(authUrl({ redirect_uri: 'http://localhost:3000/elsewhere' }), { redirect: 'manual' })
  t.equal(mismatch.status, 400)
  t.notOk(mismatch.headers.get('location'), 'no redirect to an unregistered URI')
  t.match(await mismatch.text(), 'Error 400: redirect_uri_mismatch')

  const prefix = await fetch(authUrl({ redirect_uri: REDIRECT_URI + '/' }), { redirect: 'manual' })
  t.equal(prefix.status, 400, 'redirect URIs must match exactly')

  const noClient = await fetch(`${google.endpoints.authorization}?scope=openid`, { redirect: 'manual' })
  t.equal(noClient.status, 400)
  t.match(await noClient.text(), 'Error 400: invalid_request')

  const cases: Array<[Record<string, string>, string]> = [
    [{ scope: 'email profile' }, 'invalid_scope'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ code_challenge: 'a'.repeat(43), code_challenge_method: 'S512' }, 'invalid_request'],
    [{ code_challenge_method: 'S256' }, 'invalid_request'],
    [{ access_type: 'forever' }, 'invalid_request'],
    [{ prompt: 'none consent' }, 'invalid_request']
  ]
  for (const [params, error] of cases) {
    const res = await fetch(authUrl({ ...params, state: 'kept' }), { redirect: 'manual' })
    const location = new URL(res.headers.get('location')!)
    t.equal(location.searchParams.get('error'), error, `${JSON.stringify(params)} → ${error}`)
    t.equal(location.searchParams.get('state'), 'kept')
  }
})

t.test('prompt=none: interaction_required, consent_required, then silent success', async (t) => {
  const fake = await withFake(t, {})
  const url = (extra: Record<string, string>) => `${fake.endpoints.authorization}?${new URLSearchParams({
    client_id: DEFAULT_CLIENT.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', ...extra
  })}`
  const error = async (res: Response) => new URL(res.headers.get('location')!).searchParams.get('error')
  t.equal(await error(await fetch(url({ prompt: 'none' }), { redirect: 'manual' })), 'interaction_required')
  fake.setAutoConsent(true)
  t.equal(await error(await fetch(url({ prompt: 'none' }), { redirect: 'manual' })), 'consent_required')
  const consent = new URL((await fetch(url({}), { redirect: 'manual' })).headers.get('location')!)
  t.equal(consent.searchParams.get('prompt'), 'consent')
  const silent = new URL((await fetch(url({ prompt: 'none' }), { redirect: 'manual' })).headers.get('location')!)
  t.ok(silent.searchParams.get('code'))
  t.equal(silent.searchParams.get('prompt'), 'none', 'a repeat sign-in reports prompt=none, as Google does')
})

// ---------------------------------------------------------------------------------------------
// Token endpoint errors
// ---------------------------------------------------------------------------------------------

t.test('a reused code fails with invalid_grant and revokes the tokens it gave', async (t) => {
  const client = oauthClient(google)
  const { code, codeVerifier, tokens } = await signIn(google, client)
  const err = await gaxiosError(client.getToken({ code, codeVerifier: codeVerifier!, redirect_uri: REDIRECT_URI }))
  t.equal(err.status, 400)
  t.same(err.response?.data, { error: 'invalid_grant', error_description: 'Bad Request' })
  const userinfo = await fetch(google.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal(userinfo.status, 401, 'the first exchange\'s access token no longer works')
})

t.test('PKCE: a wrong or missing verifier fails; plain challenges work', async (t) => {
  const client = oauthClient(google)
  const first = await authorize(google, client)
  const wrong = await gaxiosError(client.getToken({ code: first.location.searchParams.get('code')!, codeVerifier: 'x'.repeat(64) }))
  t.same(wrong.response?.data, { error: 'invalid_grant', error_description: 'Invalid code verifier.' })

  const second = await authorize(google, client)
  const missing = await gaxiosError(client.getToken({ code: second.location.searchParams.get('code')! }))
  t.equal(missing.response?.data.error, 'invalid_grant')

  const verifier = 'plain-verifier-'.padEnd(50, 'p')
  const { code } = google.issueCodeFor(ADA.email, { codeChallenge: verifier, codeChallengeMethod: 'plain' })
  const ok = await postToken(google, { grant_type: 'authorization_code', code, code_verifier: verifier })
  t.equal(ok.status, 200)
})

t.test('PKCE downgrade: a code issued without a challenge is refused when a verifier comes with it, as at Google (security checklist row 38)', async (t) => {
  const withVerifier = await postToken(google, { grant_type: 'authorization_code', code: google.issueCodeFor(ADA.email).code, code_verifier: 'v'.repeat(43) })
  t.equal(withVerifier.status, 400)
  t.same(await withVerifier.json(), { error: 'invalid_grant', error_description: 'code_verifier or verifier is not needed.' })
  const without = await postToken(google, { grant_type: 'authorization_code', code: google.issueCodeFor(ADA.email).code })
  t.equal(without.status, 200, 'without a verifier it is redeemed')
})

t.test('client authentication: wrong secret and unknown client are 401 invalid_client', async (t) => {
  const { code } = google.issueCodeFor(ADA.email)
  const wrong = await gaxiosError(oauthClient(google, { clientSecret: 'not-the-secret' }).getToken({ code }))
  t.equal(wrong.status, 401)
  t.same(wrong.response?.data, { error: 'invalid_client', error_description: 'Unauthorized' })

  const unknown = await postToken(google, { grant_type: 'authorization_code', code, client_id: 'nobody' })
  t.equal(unknown.status, 401)
  t.equal((await unknown.json() as { error: string }).error, 'invalid_client')

  const grant = await postToken(google, { grant_type: 'password', code })
  t.equal(grant.status, 400)
  t.equal((await grant.json() as { error: string }).error, 'unsupported_grant_type')
})

t.test('the token request\'s redirect_uri must equal the authorization request\'s', async (t) => {
  const { code } = google.issueCodeFor(ADA.email)
  const err = await gaxiosError(oauthClient(google).getToken({ code, redirect_uri: DEFAULT_CLIENT.redirectUris[1]! }))
  t.equal(err.status, 400)
  t.same(err.response?.data, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' })
})

t.test('codes expire after 10 minutes and tokens follow the now() clock', async (t) => {
  let now = Date.parse('2030-01-01T00:00:00Z')
  const fake = await withFake(t, { now: () => now, accessTokenLifetime: 60 })
  const late = fake.issueCodeFor(ADA.email)
  now += 10 * 60 * 1000 + 1
  const expired = await postToken(fake, { grant_type: 'authorization_code', code: late.code })
  t.equal(expired.status, 400)
  t.equal((await expired.json() as { error: string }).error, 'invalid_grant')

  const fresh = await postToken(fake, { grant_type: 'authorization_code', code: fake.issueCodeFor(ADA.email).code })
  const body = await fresh.json() as { access_token: string; expires_in: number; id_token: string }
  t.equal(body.expires_in, 60)
  t.equal(decodeJwt(body.id_token).claims.iat, Math.floor(now / 1000), 'iat comes from now()')
  const userinfo = () => fetch(fake.endpoints.userinfo, { headers: { authorization: `Bearer ${body.access_token}` } })
  t.equal((await userinfo()).status, 200)
  now += 61_000
  t.equal((await userinfo()).status, 401, 'the access token expired on the fake\'s clock')
})

// ---------------------------------------------------------------------------------------------
// Refresh and revocation
// ---------------------------------------------------------------------------------------------

t.test('refresh tokens: offline access, refresh, repeat consent, revoke', async (t) => {
  const fake = await withFake(t, { autoConsent: true })
  const client = oauthClient(fake)
  const first = await signIn(fake, client, { accessType: 'offline' })
  const refreshToken = first.tokens.refresh_token!
  t.match(refreshToken, /^1\/\/0/, 'a refresh token with access_type=offline')

  client.setCredentials({ refresh_token: refreshToken })
  const { token } = await client.getAccessToken()
  t.match(token, /^ya29\./)
  t.not(token, first.tokens.access_token, 'a new access token')
  t.equal(client.credentials.refresh_token, refreshToken, 'the client keeps the refresh token')
  const raw = await postToken(fake, { grant_type: 'refresh_token', refresh_token: refreshToken })
  const refreshed = await raw.json() as Record<string, unknown>
  t.notOk('refresh_token' in refreshed, 'no new refresh token on refresh')
  t.equal(decodeJwt(refreshed.id_token as string).claims.sub, ADA.sub, 'a fresh id_token on refresh')

  const repeat = await signIn(fake, client, { accessType: 'offline' })
  t.notOk(repeat.tokens.refresh_token, 'repeat consent without prompt=consent gives no refresh token')
  const reconsent = await signIn(fake, client, { accessType: 'offline', prompt: 'consent' })
  t.ok(reconsent.tokens.refresh_token, 'prompt=consent gives a new one')

  const revoked = await client.revokeToken(refreshToken)
  t.equal(revoked.status, 200)
  t.same(revoked.data, {})
  const fresh = oauthClient(fake)
  fresh.setCredentials({ refresh_token: refreshToken })
  const err = await gaxiosError(fresh.getAccessToken())
  t.same(err.response?.data, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' })
  t.equal(err.message, 'invalid_grant')
  const sibling = oauthClient(fake)
  sibling.setCredentials({ refresh_token: reconsent.tokens.refresh_token! })
  t.equal((await gaxiosError(sibling.getAccessToken())).response?.data.error, 'invalid_grant',
    'revocation revokes the whole grant of that client and account')

  const again = await gaxiosError(client.revokeToken(refreshToken))
  t.same(again.response?.data, { error: 'invalid_token', error_description: 'Token expired or revoked' })
  const get = await fetch(`${fake.endpoints.revocation}?token=x`)
  t.equal(get.status, 404, 'GET /revoke is a 404')

  const later = await signIn(fake, client, { accessType: 'offline' })
  t.ok(later.tokens.refresh_token, 'after revocation, consent is asked again and gives a refresh token')
})

t.test('revoke accepts the token in a form body; revokeAll revokes every token', async (t) => {
  const fake = await withFake(t, { autoConsent: true })
  const client = oauthClient(fake)
  const a = await signIn(fake, client, { accessType: 'offline' })
  const res = await fetch(fake.endpoints.revocation, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(a.tokens.access_token!)}`
  })
  t.equal(res.status, 200)
  t.equal((await postToken(fake, { grant_type: 'refresh_token', refresh_token: a.tokens.refresh_token! })).status, 400,
    'revoking the access token also revokes its refresh token')

  const b = await signIn(fake, client, { accessType: 'offline' })
  fake.setAutoConsent(GRACE.email)
  const c = await signIn(fake, client, { accessType: 'offline' })
  fake.revokeAll()
  for (const tokens of [b.tokens, c.tokens]) {
    const refreshed = await postToken(fake, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! })
    t.equal(refreshed.status, 400)
    const info = await fetch(fake.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    t.equal(info.status, 401)
  }
})

// ---------------------------------------------------------------------------------------------
// Userinfo, discovery, certs
// ---------------------------------------------------------------------------------------------

t.test('userinfo needs a Bearer token in the Authorization header', async (t) => {
  google.setAutoConsent(CHARLES.email)
  const { tokens } = await signIn(google, oauthClient(google))
  const ok = await fetch(google.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  t.equal(ok.status, 200)
  t.same(await ok.json(), {
    sub: CHARLES.sub,
    name: 'Charles Babbage',
    given_name: 'Charles',
    family_name: 'Babbage',
    picture: CHARLES.picture,
    email: CHARLES.email,
    email_verified: true,
    locale: 'en-GB',
    hd: 'analytical.example'
  })
  const v2 = await (await fetch(new URL('/oauth2/v2/userinfo', google.url), { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()
  t.match(v2, { id: CHARLES.sub, verified_email: true, hd: 'analytical.example' })

  const none = await fetch(google.endpoints.userinfo)
  t.equal(none.status, 401)
  t.match(none.headers.get('www-authenticate'), /^Bearer realm=/)
  const query = await fetch(`${google.endpoints.userinfo}?access_token=${tokens.access_token}`)
  t.equal(query.status, 401, 'a token in the query string is not accepted')
  const bad = await fetch(google.endpoints.userinfo, { headers: { authorization: 'Bearer ya29.nope' } })
  t.equal(bad.status, 401)
  t.match(bad.headers.get('www-authenticate'), /error="invalid_token"/)
})

t.test('discovery names Google\'s issuer and the fake\'s endpoints', async (t) => {
  const doc = await (await fetch(google.urls.discovery)).json() as Record<string, unknown>
  t.match(doc, {
    issuer: ISSUER,
    authorization_endpoint: google.endpoints.authorization,
    token_endpoint: google.endpoints.token,
    userinfo_endpoint: google.endpoints.userinfo,
    revocation_endpoint: google.endpoints.revocation,
    jwks_uri: google.endpoints.jwks,
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['plain', 'S256']
  })
})

t.test('certs publish two keys as PEM and JWKS with Google\'s cache headers', async (t) => {
  const fake = await withFake(t, { certsMaxAge: 120 })
  const pem = await fetch(fake.urls.certs)
  t.equal(pem.headers.get('cache-control'), 'public, max-age=120, must-revalidate, no-transform')
  const map = await pem.json() as Record<string, string>
  t.equal(Object.keys(map).length, 2)
  t.equal(Object.keys(map)[0], fake.signingKey.kid, 'the current key comes first')
  t.match(map[fake.signingKey.kid], /^-----BEGIN PUBLIC KEY-----/)
  const jwks = await (await fetch(fake.endpoints.jwks)).json() as { keys: Array<Record<string, string>> }
  t.same(jwks.keys.map((k) => k.kid), Object.keys(map))
  t.match(jwks.keys[0], { kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' })
  t.equal((await fetch(google.urls.certs)).headers.get('cache-control'), 'public, max-age=21600, must-revalidate, no-transform',
    'default max-age 21600')
})

t.test('rotateKeys: a new kid signs; certs publish it and the previous one', async (t) => {
  const fake = await withFake(t, { autoConsent: true })
  const cachedClient = oauthClient(fake)
  await signIn(fake, cachedClient)
  const before = fake.signingKey.kid
  fake.rotateKeys()
  const after = fake.signingKey.kid
  t.not(after, before)
  const published = Object.keys(await (await fetch(fake.urls.certs)).json() as object)
  t.same(published, [after, before])

  const { tokens } = await signIn(fake, oauthClient(fake))
  t.equal(decodeJwt(tokens.id_token!).header.kid, after)
  const stale = await gaxiosError(cachedClient.verifyIdToken({ idToken: tokens.id_token!, audience: DEFAULT_CLIENT.clientId }))
  t.match(stale.message, /No pem found for envelope/, 'a client with cached certs does not refetch for an unknown kid')

  fake.rotateKeys()
  const latest = Object.keys(await (await fetch(fake.urls.certs)).json() as object)
  t.notOk(latest.includes(before), 'two rotations later the first key is gone')
})

// ---------------------------------------------------------------------------------------------
// Tampered ID tokens
// ---------------------------------------------------------------------------------------------

t.test('tamperIdToken: forged, unsigned, HS256 and altered tokens are rejected by verifyIdToken', async (t) => {
  const client = oauthClient(google)
  const verify = async () => {
    const { location, codeVerifier } = await authorize(google, client)
    const { tokens } = await client.getToken({ code: location.searchParams.get('code')!, codeVerifier: codeVerifier! })
    return { idToken: tokens.id_token!, result: client.verifyIdToken({ idToken: tokens.id_token!, audience: DEFAULT_CLIENT.clientId }) }
  }

  google.tamperIdToken(() => ({ signWith: 'rogue-key' }))
  const rogue = await verify()
  t.equal(decodeJwt(rogue.idToken).header.kid, google.signingKey.kid, 'the forgery claims the real kid')
  t.match((await gaxiosError(rogue.result)).message, /Invalid token signature/)

  google.tamperIdToken(() => ({ signWith: 'none' }))
  const none = await verify()
  t.equal(decodeJwt(none.idToken).header.alg, 'none')
  t.ok(none.idToken.endsWith('.'), 'no signature')
  t.match((await gaxiosError(none.result)).message, /Invalid token signature/)

  google.tamperIdToken(() => ({ signWith: { hs256Secret: google.signingKey.publicKeyPem } }))
  const hs = await verify()
  t.equal(decodeJwt(hs.idToken).header.alg, 'HS256')
  t.match((await gaxiosError(hs.result)).message, /Invalid token signature/, 'algorithm confusion fails')

  google.tamperIdToken(({ claims }) => { claims.aud = 'someone-else.apps.googleusercontent.com' })
  t.match((await gaxiosError((await verify()).result)).message, /Wrong recipient/)

  google.tamperIdToken(({ claims }) => ({ claims: { ...claims, iss: 'https://evil.example' } }))
  t.match((await gaxiosError((await verify()).result)).message, /Invalid issuer/)

  google.tamperIdToken(({ claims }) => { claims.iat = 1_000_000; claims.exp = 1_003_600 })
  t.match((await gaxiosError((await verify()).result)).message, /Token used too late/)

  google.tamperIdToken(null)
  await t.resolves((await verify()).result, 'untampered again')
})

t.test('tamperIdToken: what verifyIdToken does not check (the app must)', async (t) => {
  const client = oauthClient(google)
  google.tamperIdToken(({ header, claims }) => ({
    header: { ...header, alg: 'none' },
    claims: { ...claims, nonce: 'not-what-the-app-sent', email_verified: false, azp: 'other' }
  }))
  const { payload, envelope } = await signIn(google, client, { nonce: 'sent' })
  t.equal(envelope.alg, 'none', 'the header\'s alg is not checked (the signature is RSA-SHA256 regardless)')
  t.equal(payload.nonce, 'not-what-the-app-sent', 'nonce is not checked')
  t.equal(payload.email_verified, false, 'email_verified is not checked')
  google.reset()
  const { envelope: clean } = await signIn(google, client)
  t.equal(clean.alg, 'RS256', 'reset() clears tampering')
})

// ---------------------------------------------------------------------------------------------
// Misbehaviour
// ---------------------------------------------------------------------------------------------

t.test('each misbehaviour answers as documented', async (t) => {
  const tokenRequest = () => postToken(google, { grant_type: 'authorization_code', code: google.issueCodeFor(ADA.email).code }, { redirect: 'manual' })
  // Each expectation asserts on its own subtest.
  const expectations: Array<[Misbehaviour, (t: Test, res: Response) => Promise<void>]> = [
    ['invalid_grant', async (t, res) => {
      t.equal(res.status, 400)
      t.same(await res.json(), { error: 'invalid_grant', error_description: 'Bad Request' })
    }],
    ['invalid_client', async (t, res) => {
      t.equal(res.status, 401)
      t.same(await res.json(), { error: 'invalid_client', error_description: 'Unauthorized' })
    }],
    ['server_error', async (t, res) => {
      t.equal(res.status, 500)
      t.match(res.headers.get('content-type'), /^text\/html/)
      t.match(await res.text(), /Error 500/)
    }],
    ['unavailable', async (t, res) => {
      t.equal(res.status, 503)
      t.equal((await res.json() as { error: string }).error, 'temporarily_unavailable')
    }],
    ['rate_limited', async (t, res) => {
      t.equal(res.status, 429)
      t.equal(res.headers.get('retry-after'), '1')
    }],
    ['malformed', async (t, res) => {
      t.equal(res.status, 200)
      await t.rejects(res.json(), SyntaxError, 'truncated JSON')
    }],
    ['html', async (t, res) => {
      t.equal(res.status, 200)
      t.match(res.headers.get('content-type'), /^text\/html/)
    }],
    ['empty', async (t, res) => {
      t.equal(res.status, 200)
      t.same(await res.json(), {})
    }],
    ['no_id_token', async (t, res) => {
      const body = await res.json() as Record<string, unknown>
      t.match(body.access_token, /^ya29\./)
      t.notOk('id_token' in body)
    }],
    ['huge', async (t, res) => {
      t.equal(res.status, 200)
      t.ok((await res.arrayBuffer()).byteLength > 5_000_000, 'about 5 MB')
    }],
    ['chunked-huge', async (t, res) => {
      t.equal(res.status, 200)
      t.equal(res.headers.get('content-length'), null, 'no length announced')
      t.equal(res.headers.get('transfer-encoding'), 'chunked')
      const text = await res.text()
      t.equal(text.length, 20 * 1024 * 1024, '20 MB')
      const body = JSON.parse(text) as Record<string, unknown>
      t.match(body.access_token, /^ya29\./, 'the normal answer, padded')
      t.match(body.id_token, /^eyJ/)
    }],
    ['redirect', async (t, res) => {
      t.equal(res.status, 307)
      t.equal(res.headers.get('location'), '/redirect-target')
      const followed = await fetch(new URL('/redirect-target', google.url), { method: 'POST', body: 'code=x' })
      t.equal(followed.status, 200, 'the target answers like a token endpoint')
      t.ok(google.requests.some((r) => r.path === '/redirect-target'), 'and requests shows it was reached')
    }]
  ]
  for (const [behaviour, expect] of expectations) {
    google.misbehave('token', behaviour, { times: 1 })
    await t.test(String(behaviour), async (t) => { await expect(t, await tokenRequest()) })
  }
  const normal = await tokenRequest()
  t.equal(normal.status, 200, 'times: 1 misbehaves once')
})

t.test('hang never answers (a client timeout ends it); reset drops the connection', async (t) => {
  google.misbehave('userinfo', 'hang')
  await t.rejects(fetch(google.endpoints.userinfo, { signal: AbortSignal.timeout(150) }), { name: 'TimeoutError' }, 'no answer until the client gave up')

  google.misbehave('certs', 'reset', { times: 1 })
  await t.rejects(fetch(google.urls.certs), TypeError, 'fetch failed: the socket was destroyed')
  t.equal((await fetch(google.urls.certs)).status, 200, 'once only')

  google.reset()
  t.equal((await fetch(google.endpoints.userinfo)).status, 401, 'reset() clears the hang')
})

t.test('delayMs answers normally after the delay', async (t) => {
  google.misbehave('certs', { delayMs: 150 })
  const order: string[] = []
  const delayed = fetch(google.urls.certs).then((res) => { order.push('certs'); return res })
  await fetch(google.urls.discovery).then(() => order.push('discovery'))
  const res = await delayed
  t.same(order, ['discovery', 'certs'], 'a request sent later but not delayed is answered first')
  t.equal(res.status, 200)
  t.equal(Object.keys(await res.json() as object).length, 2)
})

t.test('misbehave rejects nonsense', async (t) => {
  t.throws(() => google.misbehave('userinfo', 'no_id_token'), /token' endpoint only/)
  t.throws(() => google.misbehave('token', { delayMs: -1 }), /delayMs/)
  t.throws(() => google.misbehave('token', 'explode' as never), /unknown behaviour/)
  t.throws(() => google.misbehave('discovery' as never, 'hang'), /unknown endpoint/)
  t.throws(() => google.misbehave('token', 'hang', { times: 0 }), /positive integer/)
})

t.test('close() ends hanging and delayed requests', async (t) => {
  const fake = await startFakeGoogle()
  fake.misbehave('token', 'hang')
  fake.misbehave('certs', { delayMs: 60_000 })
  const outcome = (res: Promise<Response>) => res.then((r) => `answered ${r.status}`, (err: Error) => err)
  const hanging = outcome(fetch(fake.endpoints.token, { method: 'POST' }))
  const delayed = outcome(fetch(fake.urls.certs))
  await until(() => fake.requests.length === 2, 'both requests to reach the fake')
  await fake.close()
  t.type(await hanging, TypeError, 'the hanging request ended without an answer')
  t.type(await delayed, TypeError, 'the delayed request ended without an answer')
  await t.resolves(fake.close(), 'close() twice is harmless')
})

// ---------------------------------------------------------------------------------------------
// Bookkeeping and helpers
// ---------------------------------------------------------------------------------------------

t.test('requests record endpoints but never a secret', async (t) => {
  const fake = await withFake(t, { autoConsent: true })
  const client = oauthClient(fake)
  const { code, codeVerifier, tokens } = await signIn(fake, client, { state: 'secret-state', nonce: 'secret-nonce', accessType: 'offline' })
  client.setCredentials({ refresh_token: tokens.refresh_token! })
  await client.getAccessToken()
  await fetch(fake.endpoints.userinfo, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  await client.revokeToken(tokens.refresh_token!)
  await fetch(`${fake.url}/nowhere?token=${tokens.access_token}`)

  t.same(fake.requests.map((r) => `${r.method} ${r.endpoint}`), [
    'GET authorization', 'POST token', 'GET certs', 'POST token', 'GET userinfo', 'POST revocation', 'GET other'
  ])
  t.equal(fake.requests.at(-1)?.path, '/nowhere', 'paths without the query string')
  const recorded = JSON.stringify(fake.requests)
  const secrets = [code, codeVerifier!, tokens.access_token!, tokens.refresh_token!, tokens.id_token!, DEFAULT_CLIENT.clientSecret, 'secret-state', 'secret-nonce']
  for (const secret of secrets) t.notOk(recorded.includes(secret), `no ${secret.slice(0, 8)}…`)
})

t.test('issueCodeFor mints a code and callback URL without a browser', async (t) => {
  const issued = google.issueCodeFor(GRACE.email, { state: 'attacker-state', nonce: 'n' })
  const callback = new URL(issued.callbackUrl)
  t.equal(callback.origin + callback.pathname, REDIRECT_URI)
  t.equal(callback.searchParams.get('code'), issued.code)
  t.equal(callback.searchParams.get('state'), 'attacker-state')
  const { tokens } = await oauthClient(google).getToken({ code: issued.code })
  t.match(decodeJwt(tokens.id_token!).claims, { sub: GRACE.sub, nonce: 'n' })

  t.throws(() => google.issueCodeFor('nobody@example.com'), /no account/)
  t.throws(() => google.issueCodeFor(ADA, { redirectUri: 'http://evil.example/cb' }), /redirect_uri_mismatch/)
  t.throws(() => google.issueCodeFor(ADA, { clientId: 'nobody' }), /no client/)
})

t.test('options and clients are validated; addClient registers a client', async (t) => {
  await t.rejects(startFakeGoogle({ accounts: [] }), /accounts must hold at least one account/)
  await t.rejects(startFakeGoogle({ autoConsent: 'nobody@example.com' }), /matches no account/)
  await t.rejects(startFakeGoogle({ clients: [{ clientId: 'x', clientSecret: 's', redirectUris: ['not a url'] }] }), /absolute URL/)

  const fake = await withFake(t, { autoConsent: true })
  t.equal(fake.url, `http://127.0.0.1:${new URL(fake.url).port}`)
  t.throws(() => fake.addClient(DEFAULT_CLIENT), /exists/)
  const second = { clientId: 'second.apps.googleusercontent.com', clientSecret: 'second-secret', redirectUris: ['http://localhost:4000/cb'] }
  fake.addClient(second)
  t.equal(fake.clients.length, 2)
  const { callbackUrl, code } = fake.issueCodeFor(ADA.email, { clientId: second.clientId })
  t.match(callbackUrl, /^http:\/\/localhost:4000\/cb\?code=/)
  const res = await postToken(fake, { grant_type: 'authorization_code', code, client_id: second.clientId, client_secret: second.clientSecret, redirect_uri: second.redirectUris[0]! })
  t.equal(decodeJwt((await res.json() as { id_token: string }).id_token).claims.aud, second.clientId)
})

t.test('pluginOptions: what the plugin needs to run against the fake, and only the endpoints it takes', async (t) => {
  const [{ default: Fastify }, { default: googleOAuth, GOOGLE_ENDPOINTS }, { signInAs }] = await Promise.all([
    import('fastify'), import('../../src/index.js'), import('../../src/testing/index.js')
  ])
  const secret = 'a-session-secret-for-tests-only-0123456789'
  const fake = await withFake(t, { autoConsent: true })
  t.same(fake.pluginOptions(), { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, callbackUrl: REDIRECT_URI, endpoints: fake.endpoints },
    'the first client, its first redirect URI, the endpoints')
  t.same(Object.keys(fake.endpoints).sort(), Object.keys(GOOGLE_ENDPOINTS).sort(), 'endpoints: exactly those the plugin\'s option takes')
  t.same(fake.urls, { certs: `${fake.url}/oauth2/v1/certs`, discovery: `${fake.url}/.well-known/openid-configuration` }, 'the other URLs apart')
  t.equal(fake.oauth2ClientEndpoints.oauth2FederatedSignonPemCertsUrl, fake.urls.certs)
  t.equal((await fetch(fake.urls.discovery)).status, 200)

  t.equal(fake.pluginOptions({ callbackUrl: DEFAULT_CLIENT.redirectUris[1]! }).callbackUrl, DEFAULT_CLIENT.redirectUris[1], 'another redirect URI of the client')
  const second = { clientId: 'second.apps.googleusercontent.com', clientSecret: 'second-secret', redirectUris: ['http://localhost:4000/oauth2/google/callback'] }
  fake.addClient(second)
  t.match(fake.pluginOptions({ clientId: second.clientId }), { clientId: second.clientId, clientSecret: second.clientSecret, callbackUrl: second.redirectUris[0] }, 'another client')
  t.throws(() => fake.pluginOptions({ clientId: 'nobody' }), { name: 'TypeError', message: /no client "nobody" is registered \(there are "fake-client-id\.apps\.googleusercontent\.com", "second\.apps\.googleusercontent\.com"\)/ })
  t.throws(() => fake.pluginOptions({ callbackUrl: 'http://localhost:5000/oauth2/google/callback' }), { name: 'TypeError', message: /is not a redirect URI of client/ })

  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(googleOAuth, { ...fake.pluginOptions(), secret })
  app.get('/me', { preHandler: [app.authenticate] }, async (request) => ({ email: request.googleUser!.email }))
  const { headers } = await signInAs(app, fake, ADA.email)
  t.same((await app.inject({ url: '/me', headers })).json(), { email: ADA.email }, 'a sign-in through the plugin with them and a secret')

  const other = Fastify()
  t.teardown(() => other.close())
  await other.register(googleOAuth, { ...fake.pluginOptions(), callbackUrl: DEFAULT_CLIENT.redirectUris[1]!, secret })
  t.equal(other.googleOAuth.origin, new URL(DEFAULT_CLIENT.redirectUris[1]!).origin, 'a callbackUrl given after them replaces theirs')

  const stale = Fastify()
  t.teardown(() => stale.close())
  await t.rejects(async () => { await stale.register(googleOAuth, { ...fake.pluginOptions(), endpoints: { ...fake.endpoints, ...fake.urls } as never, secret }) },
    { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /options\.endpoints\.certs is not a known endpoint; use authorization, token, userinfo, revocation, jwks, gsiClient or riscConfiguration/ },
    'the fake\'s other URLs are no endpoints of the plugin')
})
