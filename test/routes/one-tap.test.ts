import t from 'tap'
import { errors, type GoogleOAuthEvent } from '../../src/index.js'
import type { Browser } from '../fixtures/browser.js'
import { CLIENT_ID, startApp, type TestApp } from '../fixtures/app.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { HOSTILE_ID_TOKENS } from '../fixtures/hostile-id-tokens.js'

const ADA = 'ada@example.com'

/** The login page's settings for Google's button and One Tap, as Google's script reads them. */
async function loginPage (app: TestApp, b: Browser, returnTo = '/profile') {
  const page = await b.request(`${app.url}/login?returnTo=${encodeURIComponent(returnTo)}`)
  const html = await page.text()
  const setting = (name: string): string => new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&') ?? ''
  return { page, html, loginUri: setting('login_uri'), nonce: setting('nonce'), clientId: setting('client_id') }
}

/** What Google's script does after the person picks an account: the CSRF cookie, then the form post. */
async function post (b: Browser, loginUri: string, fields: Record<string, string>, csrfCookie: string | null = fields.g_csrf_token ?? null, contentType = 'form') {
  if (csrfCookie !== null) b.plant(loginUri, 'g_csrf_token', csrfCookie)
  const body = contentType === 'form' ? new URLSearchParams(fields).toString() : JSON.stringify(fields)
  return b.request(loginUri, {
    method: 'POST',
    headers: { 'content-type': contentType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json', accept: 'text/html', 'sec-fetch-site': 'same-origin' },
    body
  })
}

t.test('the login page shows Google\'s button and One Tap for an attempt of this browser, under a policy that allows only Google\'s script', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const b = app.browser()
  const { page, html, loginUri, nonce, clientId } = await loginPage(app, b)
  t.equal(page.status, 200)
  t.equal(clientId, CLIENT_ID)
  t.match(loginUri, new RegExp(`^${app.url}/oauth2/google/one-tap\\?state=[\\w-]{43}$`), 'the One Tap route, naming the attempt')
  t.match(nonce, /^[\w-]{32}$/)
  t.match(html, /<div class="g_id_signin"/)
  t.match(html, /data-auto_prompt="true"/)
  t.match(html, new RegExp(`<script src="${app.google.endpoints.gsiClient}" async></script>`))
  t.match(html, /<a class="button" href="\/oauth2\/google\?returnTo=%2Fprofile">/, 'the redirect button stays')
  const policy = page.headers.get('content-security-policy')!
  t.match(policy, `script-src ${app.google.endpoints.gsiClient};`)
  t.match(policy, `frame-src ${app.google.url}/gsi/;`)
  t.match(policy, `connect-src ${app.google.url}/gsi/;`)
  t.match(policy, new RegExp(`style-src 'sha256-[^']+' ${app.google.url}/gsi/style;`))
  t.notMatch(policy, /unsafe-inline|unsafe-eval/)
  t.equal(page.headers.get('referrer-policy'), 'strict-origin-when-cross-origin', 'Google\'s script sees the page\'s origin')
  t.ok(Object.keys(b.cookiesFor(`${app.url}/oauth2/google/one-tap`)).some((name) => name.startsWith('goauth.attempt.')), 'the attempt\'s cookie')

  const buttonOnly = await startApp(t, { plugin: { oneTap: { prompt: false } } })
  t.match((await loginPage(buttonOnly, buttonOnly.browser())).html, /data-auto_prompt="false"/)
  const promptOnly = await startApp(t, { plugin: { oneTap: { button: false } } })
  t.notMatch((await loginPage(promptOnly, promptOnly.browser())).html, /<div class="g_id_signin"/)

  const plain = await startApp(t)
  t.notMatch((await loginPage(plain, plain.browser())).html, /g_id_onload|<script/, 'off by default')
  t.equal((await plain.browser().request(`${plain.url}/oauth2/google/one-tap?state=x`, { method: 'POST' })).status, 404, 'and no route')
})

t.test('a One Tap sign-in: CSRF double-submit, the attempt, the nonce, then the same sign-in as the redirect flow', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const methods: string[] = []
  const app = await startApp(t, { plugin: { oneTap: true, onSignIn: ({ method }) => { methods.push(method); return { role: 'admin' } }, onEvent: (event) => { events.push(event) } } })
  const b = app.browser()
  const { loginUri, nonce } = await loginPage(app, b, '/profile?tab=2')
  const credential = app.google.oneTapCredentialFor(ADA, { nonce })
  const signedIn = await post(b, loginUri, { credential, g_csrf_token: 'f00dcafe1234567890', select_by: 'user' })
  t.equal(signedIn.status, 303)
  t.equal(signedIn.headers.get('location'), '/profile?tab=2', 'to returnTo')
  t.match(await (await b.request(`${app.url}/api/me`)).json(), { email: ADA, role: 'admin' })
  t.same(methods, ['one-tap'])
  t.match(events.at(-1), { type: 'sign-in', method: 'one-tap', scopes: [] })
  t.equal((await post(b, loginUri, { credential, g_csrf_token: 'f00dcafe1234567890' })).status, 400, 'the attempt is used up')
})

t.test('Google\'s JSON body is accepted too', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const b = app.browser()
  const { loginUri, nonce } = await loginPage(app, b)
  const response = await post(b, loginUri, { credential: app.google.oneTapCredentialFor(ADA, { nonce }), g_csrf_token: 'abc123abc123' }, 'abc123abc123', 'json')
  t.equal(response.status, 303)
})

t.test('the g_csrf_token cookie and field must both be there and be equal (security checklist row 29)', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { oneTap: true, store } })
  const cases: Array<[string, Record<string, string>, string | null]> = [
    ['no cookie', { g_csrf_token: 'token-1234567890' }, null],
    ['no field', {}, 'token-1234567890'],
    ['different values', { g_csrf_token: 'token-1234567890' }, 'token-0987654321'],
    ['an empty field', { g_csrf_token: '' }, 'token-1234567890']
  ]
  for (const [name, fields, cookie] of cases) {
    const b = app.browser()
    const { loginUri, nonce } = await loginPage(app, b)
    const response = await post(b, loginUri, { credential: app.google.oneTapCredentialFor(ADA, { nonce }), ...fields }, cookie)
    t.equal(response.status, 403, name)
    t.match(await response.text(), /FST_GOOGLE_OAUTH_CSRF_TOKEN_MISMATCH/, name)
    t.equal((await b.request(`${app.url}/api/me`)).status, 401, `${name}: nobody signed in`)
  }
  t.equal(store.sets, 0, 'nothing stored')
})

t.test('the attempt: only the browser that loaded the page, once, in time', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const victim = app.browser()
  const { loginUri, nonce } = await loginPage(app, victim)
  const credential = app.google.oneTapCredentialFor(ADA, { nonce })
  const attacker = app.browser()
  const other = await post(attacker, loginUri, { credential, g_csrf_token: 'aaaa1111bbbb' })
  t.equal(other.status, 400)
  t.match(await other.text(), /FST_GOOGLE_OAUTH_STATE_MISMATCH/, 'another browser (login CSRF)')
  const noState = await post(victim, loginUri.replace(/\?.*$/, ''), { credential, g_csrf_token: 'aaaa1111bbbb' })
  t.match(await noState.text(), /FST_GOOGLE_OAUTH_STATE_MISSING/)
  const wrongNonce = await post(victim, loginUri, { credential: app.google.oneTapCredentialFor(ADA, { nonce: 'someone-elses-nonce' }), g_csrf_token: 'aaaa1111bbbb' })
  t.equal(wrongNonce.status, 400)
  t.match(await wrongNonce.text(), /FST_GOOGLE_OAUTH_CREDENTIAL_INVALID/, 'a credential minted for another page')
})

t.test('every ID token the redirect flow refuses is refused as a One Tap credential', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  for (const { name, tamper, acceptedOn } of HOSTILE_ID_TOKENS) {
    const b = app.browser()
    const { loginUri, nonce } = await loginPage(app, b)
    app.google.tamperIdToken(tamper)
    const credential = app.google.oneTapCredentialFor(ADA, { nonce })
    app.google.tamperIdToken(null)
    const response = await post(b, loginUri, { credential, g_csrf_token: 'c5rf-c5rf-c5rf' })
    if (acceptedOn?.includes('one-tap') === true) {
      t.equal(response.status, 303, `${name}: not a One Tap credential's concern`)
      continue
    }
    t.equal(response.status, 400, name)
    t.match(await response.text(), /FST_GOOGLE_OAUTH_CREDENTIAL_INVALID/, name)
  }
})

t.test('malformed posts are a 4xx, never a 500', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const b = app.browser()
  const { loginUri } = await loginPage(app, b)
  for (const [name, fields] of [
    ['not a JWT', { credential: 'hello', g_csrf_token: 'x1x1x1x1' }],
    ['oversized', { credential: `${'a'.repeat(5000)}.b.c`, g_csrf_token: 'x1x1x1x1' }],
    ['no credential', { g_csrf_token: 'x1x1x1x1' }]
  ] as const) {
    const response = await post(b, loginUri, fields)
    t.equal(response.status, 400, name)
    t.match(await response.text(), /FST_GOOGLE_OAUTH_CREDENTIAL_INVALID/, name)
  }
  t.match(app.logs.join(''), /"code":"FST_GOOGLE_OAUTH_CREDENTIAL_INVALID","reason":"one-tap:credential-malformed"/, 'the reason is logged')
  const repeated = await b.request(loginUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'g_csrf_token=x1x1x1x1' }, body: 'credential=a.b.c&credential=a.b.c&g_csrf_token=x1x1x1x1' })
  t.equal(repeated.status, 400, 'a repeated field')
  const huge = await b.request(loginUri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `credential=${'a'.repeat(20_000)}` })
  t.equal(huge.status, 413)
})

t.test('policies apply to One Tap sign-ins', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true, allowedDomains: ['example.com'] } })
  const b = app.browser()
  const { loginUri, nonce } = await loginPage(app, b)
  const response = await post(b, loginUri, { credential: app.google.oneTapCredentialFor('charles@analytical.example', { nonce }), g_csrf_token: 'c5rf1234' })
  t.equal(response.status, 403)
  t.match(await response.text(), /FST_GOOGLE_OAUTH_SIGN_IN_REFUSED/)
})

t.test('signInAs can sign in through One Tap; the session has no Google access until a grant', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { oneTap: true, store } })
  const { headers, location, user } = await app.signInAs(ADA, { via: 'one-tap', returnTo: '/profile' })
  t.equal(location, '/profile')
  t.match((await app.app.inject({ url: '/api/me', headers })).json(), { email: ADA })
  t.same((await app.app.inject({ url: '/api/me', headers })).json(), user, 'the user signInAs gives is the app\'s (a One Tap credential has no locale)')
  t.equal(user.locale, null)
  t.same((await app.app.inject({ url: '/api/has-client', headers })).json(), { client: false }, 'request.googleAuth is null: no access to Google yet')
  const id = /goauth\.sid=([^.;]+)/.exec(headers.cookie)![1]!
  const stored = await new Promise<Record<string, unknown>>((resolve) => store.get(id, (_error, value) => resolve(value as unknown as Record<string, unknown>)))
  t.equal(stored.googleTokens, null, 'stored as null: no access, not an empty token')
  // A session stored by an earlier version said "no access" with an empty access token: still read so.
  await new Promise<void>((resolve) => store.set(id, { ...stored, googleTokens: { accessToken: '', refreshToken: null, idToken: 'x.y.z', expiresAt: 0, scope: '' } } as never, () => resolve()))
  t.match((await app.app.inject({ url: '/api/me', headers })).json(), { email: ADA }, 'an earlier version\'s session still works')
  t.same((await app.app.inject({ url: '/api/has-client', headers })).json(), { client: false }, 'and still has no access')
  await t.rejects((await startApp(t)).signInAs(ADA, { via: 'one-tap' }), /shows no Google button or One Tap/)
})

t.test('on another host than callbackUrl\'s, the page moves there first (where the attempt and Google\'s post meet)', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const response = await app.app.inject({ url: '/login?returnTo=%2Fprofile', headers: { host: `localhost:${new URL(app.url).port}` } })
  t.equal(response.statusCode, 302)
  t.equal(response.headers.location, `${app.url}/login?returnTo=%2Fprofile`)
})

t.test('signed in again with One Tap as the same account, the session keeps its access to Google', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const b = app.browser()
  // A login page left open in one tab; the person signs in through Google in another, then picks One Tap in the first.
  const { loginUri, nonce } = await loginPage(app, b)
  await app.signIn(b)
  t.same(await (await b.request(`${app.url}/api/has-client`)).json(), { client: true }, 'signed in through Google: access to Google')
  t.equal((await post(b, loginUri, { credential: app.google.oneTapCredentialFor(ADA, { nonce }), g_csrf_token: 'c0ffee1234567890' })).status, 303)
  t.same(await (await b.request(`${app.url}/api/has-client`)).json(), { client: true }, 'still there after One Tap as the same account')

  const other = app.browser()
  const page = await loginPage(app, other)
  await app.signIn(other)
  t.equal((await post(other, page.loginUri, { credential: app.google.oneTapCredentialFor('charles@analytical.example', { nonce: page.nonce }), g_csrf_token: 'c0ffee1234567890' })).status, 303)
  t.match(await (await other.request(`${app.url}/api/me`)).json(), { email: 'charles@analytical.example' })
  t.same(await (await other.request(`${app.url}/api/has-client`)).json(), { client: false }, 'another account gets none of the previous one\'s access')
})

t.test('a forged or malformed credential: 400 CREDENTIAL_INVALID, the status the registry declares, the reason in the log', async (t) => {
  const app = await startApp(t, { plugin: { oneTap: true } })
  const declared = new errors.CREDENTIAL_INVALID()
  t.equal(declared.statusCode, 400)
  /** Google's genuine credential for this page, its claims changed after signing (Ada posing as Grace). */
  const forged = (nonce: string): string => {
    const [header, payload, signature] = app.google.oneTapCredentialFor(ADA, { nonce }).split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>
    return `${header}.${Buffer.from(JSON.stringify({ ...claims, email: 'grace@example.com' })).toString('base64url')}.${signature}`
  }
  for (const [name, credentialFor, reason] of [
    ['forged claims under a genuine signature', forged, /"reason":"bad-signature"/],
    ['malformed', () => 'not-a-jwt', /"reason":"one-tap:credential-malformed"/]
  ] as const) {
    const b = app.browser()
    const { loginUri, nonce } = await loginPage(app, b)
    b.plant(loginUri, 'g_csrf_token', 'f0f0f0f0f0f0')
    const response = await b.request(loginUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ credential: credentialFor(nonce), g_csrf_token: 'f0f0f0f0f0f0' }).toString()
    })
    t.equal(response.status, declared.statusCode, `${name}: answered with the registry's status`)
    t.same(await response.json(), { statusCode: declared.statusCode, code: 'FST_GOOGLE_OAUTH_CREDENTIAL_INVALID', error: 'Bad Request', message: declared.message }, `${name}: the body says the same`)
    t.match(app.logs.join(''), new RegExp(`"code":"FST_GOOGLE_OAUTH_CREDENTIAL_INVALID",${reason.source}`), `${name}: the reason is logged`)
    t.equal((await b.request(`${app.url}/api/me`)).status, 401, `${name}: nobody signed in`)
  }
  t.notMatch(app.logs.join(''), /FST_GOOGLE_OAUTH_ID_TOKEN_INVALID/, 'never the code of a token from Google\'s token endpoint')
})
