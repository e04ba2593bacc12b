import t from 'tap'
import { startApp } from '../fixtures/app.js'

const HTML = { accept: 'text/html' }
const JSON_ONLY = { accept: 'application/json' }

t.test('a refused sign-in\'s callback opened again says it was refused, and why, not that it was completed', async (t) => {
  const app = await startApp(t, { plugin: { allowedEmails: ['grace@example.com'] } })
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b, '/reports')
  const first = await b.request(callback.href, { headers: JSON_ONLY })
  const refusal = await first.json() as { code: string, message: string }
  t.equal(first.status, 403)
  t.equal(refusal.code, 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED')

  for (const round of ['reloaded', 'reloaded again']) {
    const again = await b.request(callback.href, { headers: JSON_ONLY })
    const body = await again.json() as { code: string, message: string }
    t.equal(again.status, 403, `${round}: the refusal's status`)
    t.equal(body.code, refusal.code, `${round}: the refusal's code`)
    t.match(body.message, refusal.message, `${round}: the refusal's own words`)
    t.match(body.message, /Opening this page again does not retry it: start the sign-in again\./)
    t.notMatch(body.message, /completed/)
  }
  const page = await b.request(callback.href, { headers: HTML })
  const html = await page.text()
  t.match(html, /<h1>Sign-in refused<\/h1>/)
  t.match(html, /href="\/login\?returnTo=%2Freports"/, 'back to sign in, keeping where the person was going')
  t.equal(app.tokenCalls(), 1, 'Google was not asked again')
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'nobody is signed in')
})

t.test('a sign-in cancelled at Google, reloaded: still says it was cancelled', async (t) => {
  const app = await startApp(t)
  app.google.setAutoConsent('deny')
  const b = app.browser()
  const visit = await b.navigate(`${app.url}/oauth2/google?returnTo=/profile`)
  t.equal(visit.response.status, 403)
  const reload = await b.navigate(visit.url)
  t.equal(reload.response.status, 403)
  t.match(reload.body, /<h1>Sign-in cancelled<\/h1>/)
  t.match(reload.body, /Sign-in was cancelled at Google\. Opening this page again does not retry it/)
  t.match(reload.body, /FST_GOOGLE_OAUTH_ACCESS_DENIED/)
})

t.test('the record of a refusal is this browser\'s, sealed, and gone when the attempt would have expired', async (t) => {
  const app = await startApp(t, { plugin: { allowedEmails: ['grace@example.com'] } })
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  const refused = await b.request(callback.href, { headers: JSON_ONLY })
  const record = refused.headers.getSetCookie().find((line) => line.startsWith('goauth.attempt.'))!
  t.match(record, /Max-Age=(\d+)/, 'kept for a while')
  t.ok(Number(/Max-Age=(\d+)/.exec(record)![1]) <= 600, 'no longer than the attempt had left')
  for (const attribute of ['Path=/oauth2/google', 'HttpOnly', 'SameSite=Lax']) t.ok(record.split('; ').includes(attribute), attribute)

  // Copied into another browser (a sibling subdomain can plant cookies): refused as any other attempt is.
  const other = app.browser()
  await other.navigate(`${app.url}/login`)
  for (const [name, value] of Object.entries(b.cookiesFor(callback.href))) {
    if (name.startsWith('goauth.attempt.')) other.plant(app.url, name, value, '/oauth2/google')
  }
  const elsewhere = await other.request(callback.href, { headers: JSON_ONLY })
  t.match(await elsewhere.json(), { code: 'FST_GOOGLE_OAUTH_STATE_MISMATCH', message: /started in another browser/ })

  // Tampered: unreadable, as any tampered attempt.
  const [name, value] = Object.entries(b.cookiesFor(callback.href)).find(([n]) => n.startsWith('goauth.attempt.'))!
  b.plant(app.url, name, value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA'), '/oauth2/google')
  const tampered = await b.request(callback.href, { headers: JSON_ONLY })
  t.match(await tampered.json(), { code: 'FST_GOOGLE_OAUTH_STATE_MISMATCH' })
  t.match(app.logs.join(''), /"reason":"attempt-unreadable"/)
})

t.test('Google failing is not recorded as a refusal: opening the callback again says its link was used', async (t) => {
  const app = await startApp(t)
  app.google.misbehave('token', 'server_error')
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  t.equal((await b.request(callback.href, { headers: JSON_ONLY })).status, 502)
  const again = await b.request(callback.href, { headers: JSON_ONLY })
  const body = await again.json() as { code: string, message: string }
  t.equal(body.code, 'FST_GOOGLE_OAUTH_STATE_MISMATCH')
  t.match(body.message, /its link was used already/)
  t.notMatch(body.message, /completed/)
})

t.test('a completed sign-in\'s link opened again after signing out says the link was used', async (t) => {
  const app = await startApp(t)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  const kept = { ...b.cookiesFor(callback.href) }
  t.equal((await b.request(callback.href)).status, 303)
  await b.submit(`${app.url}/logout`)
  const gone = await b.request(callback.href, { headers: JSON_ONLY })
  t.match(await gone.json(), { code: 'FST_GOOGLE_OAUTH_STATE_MISMATCH', message: /its link was used already \(a sign-in link works once/ })
  // A browser that kept the attempt's cookie (Back to Google's page and forward again).
  for (const [name, value] of Object.entries(kept)) b.plant(app.url, name, value, '/oauth2/google')
  const replayed = await b.request(callback.href, { headers: JSON_ONLY })
  t.match(await replayed.json(), { code: 'FST_GOOGLE_OAUTH_STATE_MISMATCH', message: /its link was used already: a sign-in link works once/ })
})

t.test('a refusal that already said to start again says it once', async (t) => {
  const app = await startApp(t)
  app.google.misbehave('token', 'invalid_grant', { times: 1 })
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  t.match(await (await b.request(callback.href, { headers: JSON_ONLY })).json(), { code: 'FST_GOOGLE_OAUTH_CODE_REJECTED' })
  const again = await (await b.request(callback.href, { headers: JSON_ONLY })).json() as { code: string, message: string }
  t.same(again, {
    statusCode: 400,
    code: 'FST_GOOGLE_OAUTH_CODE_REJECTED',
    error: 'Bad Request',
    message: 'Google refused this sign-in code; it may have been used already. Opening this page again does not retry it: start the sign-in again.'
  })
})
