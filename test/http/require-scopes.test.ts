import t from 'tap'
import type { GoogleOAuthEvent, GoogleOAuthOptions } from '../../src/index.js'
import { startApp } from '../fixtures/app.js'

const CALENDAR = 'https://www.googleapis.com/auth/calendar.readonly'
const ADA = 'ada@example.com'

/** An app with a page that needs the calendar scope and calls the fake's Calendar API as the user. */
async function calendarApp (t: Parameters<typeof startApp>[0], plugin: GoogleOAuthOptions | object = {}) {
  const api = { url: '' }
  const app = await startApp(t, {
    plugin: plugin as never,
    routes: (app) => {
      app.get('/calendar', { preHandler: [app.googleOAuth.requireScopes([CALENDAR])] }, async (request) => {
        const { data } = await request.googleAuth!.request<{ items: Array<{ summary: string }> }>({ url: api.url })
        return { calendars: data.items.map((item) => item.summary) }
      })
      app.get('/scopes', { preHandler: [app.authenticate] }, async (request) => app.googleOAuth.grantedScopes(request))
    }
  })
  api.url = app.google.apis.calendarList
  return app
}

t.test('a page that needs a scope: Google asks for it, for the same account, and the page works on return', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const app = await calendarApp(t, { onEvent: (event: GoogleOAuthEvent) => { events.push(event) } })
  const b = app.browser()
  await app.signIn(b, '/')
  const session = b.cookiesFor(app.url)['goauth.sid']
  t.notOk((await (await b.request(`${app.url}/scopes`)).json() as string[]).includes(CALENDAR), 'not granted at sign-in')

  const visit = await b.navigate(`${app.url}/calendar`)
  t.equal(visit.response.status, 200)
  t.same(JSON.parse(visit.body), { calendars: [ADA, 'Holidays'] })
  const [guard, start, google, callback] = visit.hops
  t.equal(guard!.status, 302)
  t.equal(guard!.location, `/oauth2/google?scope=${encodeURIComponent(CALENDAR)}&returnTo=%2Fcalendar`)
  const asked = new URL(start!.location!).searchParams
  t.match(asked.get('scope'), new RegExp(`openid email profile ${CALENDAR.replace(/\./g, '\\.')}`))
  t.equal(asked.get('include_granted_scopes'), 'true')
  t.equal(asked.get('login_hint'), ADA, 'the same account stays selected')
  t.equal(google!.status, 302)
  t.equal(callback!.location, '/calendar')
  t.equal(b.cookiesFor(app.url)['goauth.sid'], session, 'the same session: a grant is no new sign-in')
  t.ok((await (await b.request(`${app.url}/scopes`)).json() as string[]).includes(CALENDAR))
  t.match(events.at(-1), { type: 'scopes-granted', userId: '100000000000000000001', scopes: [String, String, String, CALENDAR] })
  t.equal((await b.navigate(`${app.url}/calendar`)).hops.length, 1, 'then straight through')
})

t.test('API requests without the scope get 403 with the URL that grants it; signed out, the usual 401 or login page', async (t) => {
  const app = await calendarApp(t)
  const { headers } = await app.signInAs(ADA)
  const api = await app.app.inject({ url: '/calendar?x=1', headers: { ...headers, accept: 'application/json' } })
  t.equal(api.statusCode, 403)
  t.same(api.json(), {
    statusCode: 403,
    code: 'FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE',
    error: 'Forbidden',
    message: 'This needs access to your Google account that you have not granted yet.',
    grantUrl: `/oauth2/google?scope=${encodeURIComponent(CALENDAR)}&returnTo=%2Fcalendar%3Fx%3D1`,
    missingScopes: [CALENDAR]
  })
  t.equal((await app.app.inject({ url: '/calendar' })).statusCode, 401)
  const page = await app.app.inject({ url: '/calendar', headers: { accept: 'text/html' } })
  t.equal(page.headers.location, '/login?returnTo=%2Fcalendar')
})

t.test('declining at Google: back to the page, which says so and offers to grant; no loop, the session stays', async (t) => {
  const app = await calendarApp(t)
  const b = app.browser()
  await app.signIn(b, '/')
  app.google.setAutoConsent('deny')
  const visit = await b.navigate(`${app.url}/calendar`)
  t.equal(visit.hops.at(-2)!.location, '/calendar?googleScopes=denied')
  t.equal(visit.response.status, 403)
  t.match(visit.body, /You did not grant the access/)
  t.match(visit.body, /href="\/oauth2\/google\?scope=[^"]+returnTo=[^"]+">Grant access</)
  t.match(visit.body, /FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE/)
  t.equal((await b.request(`${app.url}/api/me`)).status, 200, 'still signed in')

  app.google.setAutoConsent(true)
  app.google.declineScopes([CALENDAR])
  const unticked = await b.navigate(`${app.url}/calendar`)
  t.equal(unticked.hops.at(-2)!.location, '/calendar?googleScopes=denied', 'a scope left unticked on Google\'s granular consent screen')
  t.equal(unticked.response.status, 403)
})

t.test('declining, then granting from the page: back at the page without the "declined" marker', async (t) => {
  const app = await calendarApp(t)
  const b = app.browser()
  await app.signIn(b, '/')
  app.google.setAutoConsent('deny')
  const declined = await b.navigate(`${app.url}/calendar?week=2`)
  t.equal(new URL(declined.url).search, '?week=2&googleScopes=denied')
  const grant = /href="([^"]+)">Grant access</.exec(declined.body)![1]!.replace(/&amp;/g, '&')

  app.google.setAutoConsent(true)
  const granted = await b.navigate(`${app.url}${grant}`)
  t.equal(granted.response.status, 200)
  t.same(JSON.parse(granted.body), { calendars: [ADA, 'Holidays'] })
  t.equal(granted.hops.at(-2)!.location, '/calendar?week=2', 'the marker is gone, the rest of the URL kept')
  t.equal(new URL(granted.url).search, '?week=2')
})

t.test('the grant must come back for the signed-in account: another one is refused and nothing changes', async (t) => {
  const app = await calendarApp(t)
  const b = app.browser()
  await app.signIn(b, '/')
  app.google.setAutoConsent('grace@example.com')
  const visit = await b.navigate(`${app.url}/calendar`, { headers: { accept: 'text/html' } })
  t.equal(visit.response.status, 403)
  t.match(visit.body, /FST_GOOGLE_OAUTH_ACCOUNT_MISMATCH/)
  t.match(visit.body, /You are still signed in as <strong>ada@example\.com<\/strong>/)
  t.match(visit.body, /<a class="button primary" href="\/calendar">Try again with this account<\/a>/, 'on to the page, which asks Google again for Ada')
  t.match(visit.body, /<a class="button" href="\/logout">Sign out<\/a>/, 'or sign out, to use the other account')
  t.notMatch(visit.body, /Back to sign in/, 'no sign-in offered to a signed-in person')
  t.match(await (await b.request(`${app.url}/api/me`)).json(), { email: ADA }, 'still Ada')
  t.notOk((await (await b.request(`${app.url}/scopes`)).json() as string[]).includes(CALENDAR), 'with her own tokens')
})

t.test('new tokens replace the old ones, keeping the refresh token when Google sends none', async (t) => {
  const app = await calendarApp(t, { accessType: 'offline' })
  const b = app.browser()
  await app.signIn(b, '/')
  t.equal((await b.navigate(`${app.url}/calendar`)).response.status, 200)
  // An hour later: the access token is refreshed with the refresh token the session kept.
  t.equal((await b.request(`${app.url}/api/google-profile?expire=1`)).status, 200)
  t.equal((await b.navigate(`${app.url}/calendar`)).response.status, 200, 'and the refreshed token still carries the scope')
})

t.test('only scopes the app asks for somewhere can be asked for through the start route', async (t) => {
  const app = await calendarApp(t)
  const b = app.browser()
  const other = await b.request(`${app.url}/oauth2/google?scope=${encodeURIComponent('https://mail.google.com/')}`, { headers: { accept: 'application/json' } })
  t.equal(other.status, 400)
  t.match(await other.json(), { code: 'FST_GOOGLE_OAUTH_UNKNOWN_SCOPE' })
  const known = await b.request(`${app.url}/oauth2/google?scope=${encodeURIComponent(CALENDAR)}`)
  t.equal(known.status, 302)
  t.match(new URL(known.headers.get('location')!).searchParams.get('scope'), CALENDAR, 'signed out: a sign-in that asks for it at once')
  t.throws(() => app.app.googleOAuth.requireScopes([]), { code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT' })
  t.throws(() => app.app.googleOAuth.requireScopes(['has space']), { code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT' })
  t.throws(() => app.app.googleOAuth.requireScopes(['quote"d']), { code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT' })
})

t.test('a Bearer token grants no Google access: 403 insufficient_scope (RFC 6750), saying how to get it, with no grant URL it could not use', async (t) => {
  const app = await calendarApp(t, { bearer: true })
  for (const accept of ['text/html', 'application/json']) {
    const response = await app.app.inject({ url: '/calendar', headers: { authorization: `Bearer ${app.google.idTokenFor(ADA)}`, accept } })
    t.equal(response.statusCode, 403)
    t.equal(response.headers['www-authenticate'], `Bearer realm="${app.url}", error="insufficient_scope", scope="${CALENDAR}"`)
    t.same(response.json(), {
      statusCode: 403,
      code: 'FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE',
      error: 'Forbidden',
      message: 'This needs access to Google APIs (the scopes in missingScopes), which a Google ID token does not grant. Ask for those scopes with Google\'s own SDK in your app and call Google with the access token it gives you.',
      missingScopes: [CALENDAR]
    }, `${accept}: no grantUrl, no loginUrl`)
  }
})

t.test('after a One Tap sign-in, the first page that needs Google access asks for it', async (t) => {
  const app = await calendarApp(t, { oneTap: true })
  const b = app.browser()
  const page = await b.request(`${app.url}/login`)
  const html = await page.text()
  const setting = (name: string): string => new RegExp(`data-${name}="([^"]*)"`).exec(html)![1]!.replace(/&amp;/g, '&')
  b.plant(app.url, 'g_csrf_token', 'c5rf-token-123')
  const signedIn = await b.request(setting('login_uri'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ credential: app.google.oneTapCredentialFor(ADA, { nonce: setting('nonce') }), g_csrf_token: 'c5rf-token-123' }).toString()
  })
  t.equal(signedIn.status, 303)
  const visit = await b.navigate(`${app.url}/calendar`)
  t.equal(visit.response.status, 200)
  t.same(JSON.parse(visit.body), { calendars: [ADA, 'Holidays'] })
})

t.test('the "declined" marker goes before a #fragment, once', async (t) => {
  const { withScopesDenied, saysScopesDenied } = await import('../../src/sign-in/scopes.js')
  t.equal(withScopesDenied('/calendar'), '/calendar?googleScopes=denied')
  t.equal(withScopesDenied('/calendar?week=2#today'), '/calendar?week=2&googleScopes=denied#today', 'the browser sends it back')
  t.equal(withScopesDenied(withScopesDenied('/calendar')), '/calendar?googleScopes=denied', 'not twice')
  t.ok(saysScopesDenied(withScopesDenied('/calendar#today').split('#')[0]!))
})

t.test('the "declined" marker comes off, leaving the rest of the URL as written', async (t) => {
  const { withScopesDenied, withoutScopesDenied } = await import('../../src/sign-in/scopes.js')
  t.equal(withoutScopesDenied('/calendar?googleScopes=denied'), '/calendar')
  t.equal(withoutScopesDenied('/calendar?week=2&googleScopes=denied#today'), '/calendar?week=2#today')
  t.equal(withoutScopesDenied('/calendar?googleScopes=denied&q=a%20b+c'), '/calendar?q=a%20b+c', 'other parameters keep their encoding')
  t.equal(withoutScopesDenied('/calendar?googleScopes=denied&googleScopes=denied'), '/calendar')
  t.equal(withoutScopesDenied('/calendar?googleScopes=other'), '/calendar?googleScopes=other', 'only the marker')
  t.equal(withoutScopesDenied('/calendar?x=1'), '/calendar?x=1')
  t.equal(withoutScopesDenied('/calendar#googleScopes=denied'), '/calendar#googleScopes=denied', 'a fragment is no query')
  for (const url of ['/calendar', '/c?week=2', '/c?a=1&b=2#f']) t.equal(withoutScopesDenied(withScopesDenied(url)), url, url)
})
