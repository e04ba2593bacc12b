import { randomInt } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { startApp } from '../fixtures/app.js'
import { send } from '../fixtures/http-request.js'

const PARAMS = ['state', 'code', 'error', 'error_description', 'error_uri', 'iss', 'scope', 'authuser', 'prompt', 'hd']
// Every fuzzed value carries this marker: it must never come back in a response. '~' is in no
// alphabet the plugin writes random or sealed values in (base64url, base64, hex), so a marker that
// shows up was reflected, never drawn by chance (a plain 'ZQ' turned up in about 7% of the sealed
// refusal cookies).
const MARK = '~ZQ~'

const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '%00', '../..//evil', 'https://accounts.google.com', '\r\nSet-Cookie: x=1'),
  fc.nat({ max: 12_000 }).map((n) => 'x'.repeat(n))
).map((text) => MARK + text)

const param = fc.tuple(fc.oneof(fc.constantFrom(...PARAMS), fc.string({ minLength: 1, maxLength: 12 })), value, fc.boolean())

const encode = (text: string, raw: boolean): string =>
  raw ? text.replace(/[^\x21-\x7e]/gu, (char) => encodeURIComponent(char)).replace(/[#&]/g, encodeURIComponent) : encodeURIComponent(text)

t.test('fuzzing the callback: never a 5xx, never a signed-in session, never a reflected input', async (t) => {
  const app = await startApp(t)
  const victim = app.browser()
  await victim.navigate(`${app.url}/login`)
  // A genuine pending attempt, so that fuzzed requests can also carry a valid state and cookies.
  const start = await victim.request(`${app.url}/oauth2/google`)
  const genuineState = new URL(start.headers.get('location')!).searchParams.get('state')!
  const cookies = Object.entries(victim.cookiesFor(`${app.url}/oauth2/google/callback`)).map(([name, v]) => `${name}=${v}`).join('; ')
  const seed = Number(process.env.FUZZ_SEED ?? randomInt(1_000_000))
  t.comment(`fuzz seed ${seed}: FUZZ_SEED=${seed} npx tap .build/test/routes/callback-fuzz.test.js replays this run (after npm run typecheck)`)

  await fc.assert(fc.asyncProperty(
    fc.array(param, { maxLength: 8 }),
    fc.boolean(),
    fc.boolean(),
    fc.constantFrom('text/html', 'application/json', '*/*', ''),
    async (params, withGenuineState, withCookies, accept) => {
      const parts = params.map(([key, text, raw]) => `${encode(key, raw)}=${encode(text, raw)}`)
      if (withGenuineState) parts.unshift(`state=${genuineState}`)
      const headers: Record<string, string> = {}
      if (accept !== '') headers.accept = accept
      if (withCookies) headers.cookie = cookies
      const response = await send(`${app.url}/oauth2/google/callback?${parts.join('&')}`, { headers })
      const body = await response.text()
      if (response.status < 400 || response.status >= 500) return false
      if (response.headers.getSetCookie().some((cookie) => cookie.startsWith('goauth.sid='))) return false
      return !body.includes(MARK) && !JSON.stringify([...response.headers]).includes(MARK)
    }
  ), { numRuns: 300, seed, endOnFailure: true })

  t.equal((await victim.request(`${app.url}/api/me`)).status, 401, 'nobody got signed in')
  t.equal((await app.browser().request(`${app.url}/`)).status, 200, 'the server keeps serving')
})
