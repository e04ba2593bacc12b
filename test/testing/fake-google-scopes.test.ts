import t from 'tap'
import { calendar } from '@googleapis/calendar'
import { OAuth2Client } from 'google-auth-library'
import { decodeJwt } from 'jose'
import { DEFAULT_ACCOUNTS, DEFAULT_CLIENT, startFakeGoogle, type FakeGoogle } from '../../src/testing/index.js'

const REDIRECT_URI = DEFAULT_CLIENT.redirectUris[0]!
const [ADA, GRACE] = DEFAULT_ACCOUNTS as [typeof DEFAULT_ACCOUNTS[0], typeof DEFAULT_ACCOUNTS[0]]
const API = 'https://www.googleapis.com/auth/'
const EMAIL = `${API}userinfo.email`
const PROFILE = `${API}userinfo.profile`
const CALENDAR_READONLY = `${API}calendar.readonly`
const DRIVE_READONLY = `${API}drive.readonly`
const CUSTOM = 'https://example.com/auth/reports'
const SIGN_IN = 'openid email profile'
const REALM = 'Bearer realm="https://accounts.google.com/"'

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function authUrl (fake: FakeGoogle, params: Record<string, string>): string {
  return `${fake.endpoints.authorization}?${new URLSearchParams({
    client_id: DEFAULT_CLIENT.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: SIGN_IN, ...params
  })}`
}

/** Where the authorization endpoint redirects at once (auto-consent), as a URL. */
async function authorizeNow (fake: FakeGoogle, params: Record<string, string>): Promise<URL> {
  const res = await fetch(authUrl(fake, params), { redirect: 'manual' })
  const location = res.headers.get('location')
  if (res.status !== 302 || location === null) throw new Error(`expected a redirect, got ${res.status}`)
  return new URL(location)
}

interface Tokens { access_token: string, scope: string, id_token: string }

async function exchange (fake: FakeGoogle, callback: URL): Promise<Tokens> {
  const code = callback.searchParams.get('code')
  if (code === null) throw new Error(`no code in ${callback.href}`)
  const res = await fetch(fake.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret, redirect_uri: REDIRECT_URI })
  })
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status}`)
  return await res.json() as Tokens
}

/** The request ID a chooser or consent page posts back. */
function requestIdOf (html: string): string {
  const match = /name="request" value="([^"]+)"/.exec(html)
  if (match === null) throw new Error('no request id in the page')
  return match[1]!
}

async function decide (fake: FakeGoogle, form: Record<string, string>): Promise<Response> {
  return await fetch(new URL('/o/oauth2/v2/auth/decide', fake.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form)
  })
}

/** Opens the chooser for these parameters and chooses the account: the consent page or the redirect. */
async function chooseAccount (fake: FakeGoogle, params: Record<string, string>, sub: string): Promise<Response> {
  const chooser = await (await fetch(authUrl(fake, params))).text()
  return await decide(fake, { request: requestIdOf(chooser), account: sub })
}

async function calendarList (fake: FakeGoogle, headers: Record<string, string> = {}, url = fake.apis.calendarList): Promise<Response> {
  return await fetch(url, { headers })
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

let google: FakeGoogle
t.before(async () => {
  google = await startFakeGoogle({ autoConsent: ADA.email })
})
t.afterEach(() => {
  google.reset()
  google.revokeAll()
})
t.teardown(() => google.close())

// ---------------------------------------------------------------------------------------------
// Incremental authorization
// ---------------------------------------------------------------------------------------------

t.test('include_granted_scopes=true grants the union of earlier and requested scopes; without it, only the requested ones', async (t) => {
  const first = await authorizeNow(google, { scope: SIGN_IN })
  t.equal(first.searchParams.get('prompt'), 'consent')

  const more = await authorizeNow(google, { scope: `openid ${CALENDAR_READONLY}`, include_granted_scopes: 'true' })
  t.equal(more.searchParams.get('scope'), `email profile openid ${EMAIL} ${PROFILE} ${CALENDAR_READONLY}`, 'the redirect\'s scope is the union')
  t.equal(more.searchParams.get('prompt'), 'consent', 'a new scope was consented to')
  const union = await exchange(google, more)
  t.equal(union.scope, `openid ${EMAIL} ${PROFILE} ${CALENDAR_READONLY}`, 'so is the token response\'s')
  t.equal(decodeJwt(union.id_token).email, ADA.email, 'the ID token has the email granted earlier')
  t.equal((await calendarList(google, bearer(union.access_token))).status, 200, 'and the access token carries the new scope')
  const userinfo = await (await fetch(google.endpoints.userinfo, { headers: bearer(union.access_token) })).json() as Record<string, unknown>
  t.equal(userinfo.name, ADA.name, 'and the earlier ones')

  const only = await authorizeNow(google, { scope: 'openid email' })
  t.equal(only.searchParams.get('scope'), `email openid ${EMAIL}`, 'without include_granted_scopes: the requested scopes only')
  t.equal(only.searchParams.get('prompt'), 'none', 'nothing new to consent to')
  const narrow = await exchange(google, only)
  t.equal(narrow.scope, `openid ${EMAIL}`)
  t.equal((await calendarList(google, bearer(narrow.access_token))).status, 403, 'the calendar scope is not in this token')
  t.equal((await calendarList(google, bearer(union.access_token))).status, 200, 'while the earlier token keeps it')

  const again = await authorizeNow(google, { scope: 'openid', include_granted_scopes: 'true' })
  t.equal(again.searchParams.get('scope'), `email profile openid ${EMAIL} ${PROFILE} ${CALENDAR_READONLY}`, 'every scope granted so far')
})

t.test('issueCodeFor takes includeGrantedScopes; grants are per client and account', async (t) => {
  google.issueCodeFor(ADA.email, { scope: `openid ${DRIVE_READONLY}` })
  const union = new URL(google.issueCodeFor(ADA.email, { scope: 'openid email', includeGrantedScopes: true }).callbackUrl)
  t.equal(union.searchParams.get('scope'), `email openid ${EMAIL} ${DRIVE_READONLY}`)
  const grace = new URL(google.issueCodeFor(GRACE.email, { scope: 'openid', includeGrantedScopes: true }).callbackUrl)
  t.equal(grace.searchParams.get('scope'), 'openid', 'another account granted nothing yet')
})

t.test('prompt=none asking for a scope not granted yet is consent_required', async (t) => {
  await authorizeNow(google, { scope: SIGN_IN })
  const silent = await authorizeNow(google, { scope: SIGN_IN, prompt: 'none' })
  t.ok(silent.searchParams.get('code'), 'granted scopes: a silent success')
  const more = await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}`, prompt: 'none', state: 's' })
  t.equal(more.searchParams.get('error'), 'consent_required')
  t.equal(more.searchParams.get('state'), 's')
})

// ---------------------------------------------------------------------------------------------
// The consent screen for new scopes
// ---------------------------------------------------------------------------------------------

t.test('an account that consented before sees a consent screen naming the new scopes; Allow grants them', async (t) => {
  google.setAutoConsent(false)
  const first = await chooseAccount(google, { scope: SIGN_IN }, ADA.sub)
  t.equal(first.status, 302, 'the first sign-in: the chooser stands for the consent screen')
  t.equal(new URL(first.headers.get('location')!).searchParams.get('prompt'), 'consent')

  const scope = `${SIGN_IN} ${CALENDAR_READONLY} ${CUSTOM}`
  const consent = await chooseAccount(google, { scope, state: 'state-kept-server-side', include_granted_scopes: 'true' }, ADA.sub)
  t.equal(consent.status, 200, 'the consent screen, though the account consented before')
  t.match(consent.headers.get('content-security-policy'), /default-src 'none'/)
  const html = await consent.text()
  t.match(html, /<h1 id="title">localhost:3000 wants additional access to your Google Account<\/h1>/)
  t.ok(html.includes(ADA.email), 'names the account')
  t.match(html, /<li>See and download any calendar you can access using your Google Calendar<\/li>/, 'the calendar scope in words')
  t.match(html, /<li><code>https:\/\/example\.com\/auth\/reports<\/code><\/li>/, 'an unknown scope as its URL')
  t.notMatch(html, /email address|personal info/, 'only the new scopes')
  t.match(html, /name="action" value="allow"[^>]*>Allow</)
  t.match(html, /name="action" value="deny">Cancel</)
  t.notMatch(html, /<script/i)
  t.notOk(html.includes('state-kept-server-side'), 'the state stays server-side')

  const allowed = await decide(google, { request: requestIdOf(html), action: 'allow' })
  t.equal(allowed.status, 302)
  const location = new URL(allowed.headers.get('location')!)
  t.equal(location.searchParams.get('state'), 'state-kept-server-side')
  t.equal(location.searchParams.get('prompt'), 'consent', 'as Google reports a consent screen')
  t.equal(location.searchParams.get('scope'), `email profile openid ${EMAIL} ${PROFILE} ${CALENDAR_READONLY} ${CUSTOM}`)
  const tokens = await exchange(google, location)
  t.equal(tokens.scope, `openid ${EMAIL} ${PROFILE} ${CALENDAR_READONLY} ${CUSTOM}`)
  t.equal((await calendarList(google, bearer(tokens.access_token))).status, 200)

  t.equal((await decide(google, { request: requestIdOf(html), action: 'allow' })).status, 400, 'a consent screen is answered once')
  const repeat = await chooseAccount(google, { scope }, ADA.sub)
  t.equal(repeat.status, 302, 'no consent screen once every scope is granted')
  t.equal(new URL(repeat.headers.get('location')!).searchParams.get('prompt'), 'none')
})

t.test('Cancel on the consent screen redirects with access_denied and grants nothing', async (t) => {
  google.issueCodeFor(ADA.email)
  google.setAutoConsent(false)
  const html = await (await chooseAccount(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}`, state: 'cancelled' }, ADA.sub)).text()
  const cancelled = await decide(google, { request: requestIdOf(html), action: 'deny' })
  const location = new URL(cancelled.headers.get('location')!)
  t.equal(location.searchParams.get('error'), 'access_denied')
  t.equal(location.searchParams.get('state'), 'cancelled')
  t.notOk(location.searchParams.has('code'))

  google.setAutoConsent(ADA.email)
  const silent = await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}`, prompt: 'none' })
  t.equal(silent.searchParams.get('error'), 'consent_required', 'the calendar scope was not granted')
})

t.test('the chooser of a first sign-in says what scopes beyond sign-in allow', async (t) => {
  google.setAutoConsent(false)
  const html = await (await fetch(authUrl(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}` }))).text()
  t.match(html, /with\s+<code>fake-client-id\.apps\.googleusercontent\.com<\/code>, and allows it to:/)
  t.match(html, /<li>See and download any calendar you can access using your Google Calendar<\/li>/)
  const plain = await (await fetch(authUrl(google, { scope: SIGN_IN }))).text()
  t.notMatch(plain, /allows it to/)
})

// ---------------------------------------------------------------------------------------------
// Granular consent
// ---------------------------------------------------------------------------------------------

t.test('declineScopes leaves scopes out of each consent, as unticked boxes, until null or reset()', async (t) => {
  google.declineScopes([CALENDAR_READONLY])
  const callback = await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY} ${DRIVE_READONLY}` })
  t.equal(callback.searchParams.get('scope'), `email profile openid ${EMAIL} ${PROFILE} ${DRIVE_READONLY}`, 'the redirect lacks it')
  const tokens = await exchange(google, callback)
  t.equal(tokens.scope, `openid ${EMAIL} ${PROFILE} ${DRIVE_READONLY}`, 'so does the token response')
  t.equal((await calendarList(google, bearer(tokens.access_token))).status, 403, 'and the access token')

  google.declineScopes(['email'])
  const noEmail = await exchange(google, await authorizeNow(google, { scope: SIGN_IN, include_granted_scopes: 'true' }))
  t.equal(noEmail.scope, `openid ${EMAIL} ${PROFILE} ${DRIVE_READONLY}`, 'a scope granted before stays granted')
  google.revokeAll()
  const firstAgain = await exchange(google, await authorizeNow(google, { scope: SIGN_IN }))
  t.equal(firstAgain.scope, `openid ${PROFILE}`, 'email declined by its short name')
  t.notOk('email' in decodeJwt(firstAgain.id_token), 'so the ID token has no email')

  google.declineScopes(null)
  const asked = await exchange(google, await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}` }))
  t.equal(asked.scope, `openid ${EMAIL} ${PROFILE} ${CALENDAR_READONLY}`, 'null stops declining')

  google.declineScopes([DRIVE_READONLY])
  google.reset()
  const afterReset = await exchange(google, await authorizeNow(google, { scope: `openid ${DRIVE_READONLY}` }))
  t.equal(afterReset.scope, `openid ${DRIVE_READONLY}`, 'reset() stops declining')

  t.throws(() => google.declineScopes(['openid']), /openid cannot be declined/)
  t.throws(() => google.declineScopes('email' as never), /pass an array of scopes/)
  t.throws(() => google.declineScopes(['email profile']), /pass an array of scopes/)
})

t.test('revokeAll forgets the scopes granted: the next sign-in is a first consent again', async (t) => {
  const before = await exchange(google, await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}` }))
  google.revokeAll()
  t.equal((await calendarList(google, bearer(before.access_token))).status, 401, 'the tokens are revoked')
  const after = await authorizeNow(google, { scope: 'openid', include_granted_scopes: 'true' })
  t.equal(after.searchParams.get('scope'), 'openid', 'no earlier scope is added')
  t.equal(after.searchParams.get('prompt'), 'consent')
})

t.test('revoking one token forgets the scopes that account granted that client', async (t) => {
  const tokens = await exchange(google, await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}` }))
  const revoked = await fetch(`${google.endpoints.revocation}?token=${encodeURIComponent(tokens.access_token)}`, { method: 'POST' })
  t.equal(revoked.status, 200)
  const after = await authorizeNow(google, { scope: 'openid', include_granted_scopes: 'true' })
  t.equal(after.searchParams.get('scope'), 'openid')
})

// ---------------------------------------------------------------------------------------------
// The Calendar API
// ---------------------------------------------------------------------------------------------

t.test('calendarList answers a token with a calendar scope, as Google\'s Calendar API', async (t) => {
  t.equal(google.apis.calendarList, `${google.url}/calendar/v3/users/me/calendarList`)
  t.notOk(Object.values(google.endpoints).includes(google.apis.calendarList), 'not among the sign-in endpoints')
  const { access_token: token } = await exchange(google, await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}` }))
  const res = await calendarList(google, bearer(token))
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^application\/json/)
  t.same(await res.json(), {
    kind: 'calendar#calendarList',
    items: [
      { kind: 'calendar#calendarListEntry', id: ADA.email, summary: ADA.email, primary: true, accessRole: 'owner', timeZone: 'UTC' },
      { kind: 'calendar#calendarListEntry', id: 'en.usa#holiday@group.v.calendar.google.com', summary: 'Holidays', accessRole: 'reader', timeZone: 'UTC' }
    ]
  })

  google.setAutoConsent(GRACE.email)
  const { access_token: full } = await exchange(google, await authorizeNow(google, { scope: `openid ${API}calendar` }))
  const grace = await (await calendarList(google, bearer(full))).json() as { items: Array<{ id: string }> }
  t.equal(grace.items[0]?.id, GRACE.email, 'the full calendar scope reads it too, as the token\'s account')
})

t.test('calendarList refuses a token without the scope with 403 and insufficient_scope', async (t) => {
  const { access_token: token } = await exchange(google, await authorizeNow(google, { scope: SIGN_IN }))
  const res = await calendarList(google, bearer(token))
  t.equal(res.status, 403)
  t.equal(res.headers.get('www-authenticate'), `${REALM}, error="insufficient_scope", scope="${CALENDAR_READONLY}"`)
  t.same(await res.json(), {
    error: {
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
      status: 'PERMISSION_DENIED',
      details: [{
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        domain: 'googleapis.com',
        metadata: { service: 'calendar-json.googleapis.com', method: 'calendar.v3.CalendarList.List' }
      }]
    }
  })
})

t.test('calendarList refuses no token, a bad, expired or revoked one, and a token outside the header with 401', async (t) => {
  let now = Date.parse('2030-01-01T00:00:00Z')
  const fake = await startFakeGoogle({ autoConsent: true, now: () => now, accessTokenLifetime: 60 })
  t.teardown(() => fake.close())
  const unauthenticated = async (res: Response, message: string) => {
    t.equal(res.status, 401, message)
    t.equal(res.headers.get('www-authenticate'), `${REALM}, error="invalid_token"`, message)
    t.same(await res.json(), {
      error: {
        code: 401,
        message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        status: 'UNAUTHENTICATED'
      }
    }, message)
  }
  const scope = `${SIGN_IN} ${CALENDAR_READONLY}`
  const { access_token: token } = await exchange(fake, await authorizeNow(fake, { scope }))
  t.equal((await calendarList(fake, bearer(token))).status, 200, 'the token works in the header')
  await unauthenticated(await calendarList(fake), 'no token')
  await unauthenticated(await calendarList(fake, bearer('ya29.not-a-token')), 'an unknown token')
  await unauthenticated(await calendarList(fake, { authorization: `Basic ${token}` }), 'another scheme')
  await unauthenticated(await calendarList(fake, {}, `${fake.apis.calendarList}?access_token=${token}`), 'a token in the query string')
  now += 61_000
  await unauthenticated(await calendarList(fake, bearer(token)), 'an expired token')

  const { access_token: fresh } = await exchange(fake, await authorizeNow(fake, { scope }))
  fake.revokeAll()
  await unauthenticated(await calendarList(fake, bearer(fresh)), 'a revoked token')
  t.same([...new Set(fake.requests.filter((r) => r.path.startsWith('/calendar/')).map((r) => r.endpoint))], ['calendar'], 'recorded as the calendar endpoint')
  t.notOk(JSON.stringify(fake.requests).includes(token), 'without the token')
})

t.test('@googleapis/calendar lists the calendars from the fake', async (t) => {
  const { access_token: token } = await exchange(google, await authorizeNow(google, { scope: `${SIGN_IN} ${CALENDAR_READONLY}` }))
  const auth = new OAuth2Client({ clientId: DEFAULT_CLIENT.clientId, endpoints: google.oauth2ClientEndpoints })
  auth.setCredentials({ access_token: token, expiry_date: Date.now() + 3_000_000 })
  const api = calendar({ version: 'v3', auth, rootUrl: `${google.url}/` })
  const { data } = await api.calendarList.list()
  t.same(data.items?.map((c) => [c.id, c.accessRole]), [[ADA.email, 'owner'], ['en.usa#holiday@group.v.calendar.google.com', 'reader']])

  const { access_token: narrow } = await exchange(google, await authorizeNow(google, { scope: SIGN_IN }))
  auth.setCredentials({ access_token: narrow, expiry_date: Date.now() + 3_000_000 })
  await t.rejects(api.calendarList.list(), { status: 403, message: 'Request had insufficient authentication scopes.' })
})
