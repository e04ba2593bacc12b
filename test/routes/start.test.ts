import t from 'tap'
import { startApp } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'

/** Starts a sign-in as a browser sending `cookie` would, and returns the answer. */
async function start (url: string, cookie: string): Promise<Response> {
  return send(`${url}/oauth2/google?returnTo=/profile`, { headers: { cookie, accept: 'text/html' } })
}

t.test('planted look-alike attempt cookies with odd names never turn a sign-in into a 500 (security checklist row 32)', async (t) => {
  const app = await startApp(t)
  const odd = ['goauth.attempt.a b', 'goauth.attempt.é', 'goauth.attempt.', 'goauth.attempt.x"y', 'goauth.attempt.0123456789abcdef0', 'goauth.attempt.a\tb']
  const response = await start(app.url, odd.map((name, i) => `${name}=v${i}`).join('; '))
  t.equal(response.status, 302, 'the sign-in starts')
  t.match(response.headers.get('location'), /^http:\/\/127\.0\.0\.1:\d+\/o\/oauth2\/v2\/auth\?/)
  const cleared = response.headers.getSetCookie().filter((header) => /Max-Age=0|Expires=Thu, 01 Jan 1970/.test(header))
  t.same(cleared, [], 'cookies we did not set are not ours to clear')
  t.equal((await app.browser().request(`${app.url}/`)).status, 200, 'and the app keeps serving')
})

t.test('230 exact look-alikes (a 14 KB header) cost a bounded answer: at most twice the pending limit are examined, the rest ignored', async (t) => {
  // 64 secrets: opening a sealed attempt tries only the key it names, not every secret.
  const secrets = Array.from({ length: 64 }, (_, i) => `secret-number-${String(i).padStart(2, '0')}-of-at-least-32-characters`)
  const app = await startApp(t, { plugin: { secret: secrets } })
  const names = Array.from({ length: 230 }, (_, i) => `goauth.attempt.${String(i).padStart(16, '0')}`)
  const header = names.map((name) => `${name}=${'A'.repeat(30)}`).join('; ')
  t.ok(header.length > 14_000, `a ${header.length}-byte Cookie header`)
  const response = await start(app.url, header)
  t.equal(response.status, 302)
  const setCookies = response.headers.getSetCookie()
  const cleared = setCookies.filter((line) => line.startsWith('goauth.attempt.') && /Max-Age=0/.test(line)).map((line) => line.slice(0, line.indexOf('=')))
  t.equal(cleared.length, 6, 'ten examined, the six oldest (unreadable) cleared so that one more fits in five')
  t.ok(cleared.every((name) => names.indexOf(name) < 10), 'only the first ten in the header were examined')
  t.ok(setCookies.join('\n').length < 2_000, 'the answer\'s cookies stay small')
})

t.test('a planted browser binding of a foreign format is replaced, not echoed', async (t) => {
  const app = await startApp(t)
  const response = await start(app.url, `goauth.browser=${'%22'.repeat(200)}`)
  t.equal(response.status, 302)
  const binding = response.headers.getSetCookie().find((line) => line.startsWith('goauth.browser='))!
  t.match(binding, /^goauth\.browser=[\w-]{22};/)
})

t.test('started on another host than the callback\'s, the browser is first sent to the callback\'s origin', async (t) => {
  const app = await startApp(t)
  const elsewhere = app.url.replace('127.0.0.1', 'localhost')
  const response = await send(`${elsewhere}/oauth2/google?returnTo=%2Freports`, { headers: { accept: 'text/html' } })
  t.equal(response.status, 302)
  t.equal(response.headers.get('location'), `${app.url}/oauth2/google?returnTo=%2Freports&moved=1`, 'same route and returnTo, on the callback\'s origin')
  t.same(response.headers.getSetCookie(), [], 'no attempt is started on the wrong host')
  const onward = await app.browser().navigate(`${elsewhere}/oauth2/google?returnTo=%2Fprofile`)
  t.equal(new URL(onward.url).origin, app.url, 'the sign-in completes on the callback\'s host')
  t.equal(onward.response.status, 200)
  // A proxy that hides the host must not make a loop: once moved, the sign-in goes on.
  const moved = await send(`${elsewhere}/oauth2/google?moved=1`, { headers: { accept: 'text/html' } })
  t.match(moved.headers.get('location'), /\/o\/oauth2\/v2\/auth\?/)
})
