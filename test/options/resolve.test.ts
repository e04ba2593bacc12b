import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { GoogleOAuthOptions } from '../../src/options.js'
import { GOOGLE_ENDPOINTS } from '../../src/google/endpoints.js'
import { resolveOptions } from '../../src/options/resolve.js'
import { OPTION_NAMES, READERS } from '../../src/options/table.js'
import { refuseUnknown } from '../../src/options/unknown.js'
import { startApp } from '../fixtures/app.js'
import { DAY, HOUR, MINUTE, testClock } from '../fixtures/clock.js'
import { until } from '../fixtures/wait.js'

const valid: GoogleOAuthOptions = {
  clientId: 'id.apps.googleusercontent.com',
  clientSecret: 'client-secret',
  callbackUrl: 'https://app.example.com/oauth2/google/callback',
  secret: 'x'.repeat(32)
}

function refusal (t: Test, options: unknown, pattern: RegExp, name: string): void {
  t.throws(() => resolveOptions(options as GoogleOAuthOptions), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: pattern }, name)
}

t.test('applies safe defaults', async (t) => {
  const options = resolveOptions(valid)
  t.same(options.scopes, ['openid', 'email', 'profile'])
  t.equal(options.secure, true, 'https callback → Secure cookies')
  t.equal(options.cookieName, '__Host-goauth.sid')
  t.equal(options.loginUrl, '/login')
  t.equal(options.appOrigin, 'https://app.example.com')
  t.equal(options.accessType, 'online')
  t.equal(options.endpoints.token, 'https://oauth2.googleapis.com/token')
})

t.test('plain http is fine on loopback, with non-Secure cookies', async (t) => {
  const options = resolveOptions({ ...valid, callbackUrl: 'http://localhost:3000/oauth2/google/callback' })
  t.equal(options.secure, false)
  t.equal(options.cookieName, 'goauth.sid')
})

t.test('merges extra scopes without duplicates', async (t) => {
  const options = resolveOptions({ ...valid, scopes: ['email', 'https://www.googleapis.com/auth/calendar.readonly'] })
  t.same(options.scopes, ['openid', 'email', 'profile', 'https://www.googleapis.com/auth/calendar.readonly'])
})

t.test('refuses a missing or empty client id, naming the option and the fix', async (t) => {
  refusal(t, { ...valid, clientId: undefined }, /options\.clientId .*got nothing.*Google Cloud console/, 'missing')
  refusal(t, { ...valid, clientId: '  ' }, /options\.clientId/, 'blank')
  refusal(t, { ...valid, clientSecret: undefined }, /options\.clientSecret/, 'no secret')
})

t.test('refuses short session secrets, alone or in a rotation array', async (t) => {
  refusal(t, { ...valid, secret: 'short' }, /options\.secret .*at least 32 characters.*5 characters/, 'short')
  refusal(t, { ...valid, secret: ['x'.repeat(32), 'short'] }, /options\.secret/, 'short in array')
  refusal(t, { ...valid, secret: [] }, /at least one secret/, 'empty array')
  refusal(t, { ...valid, secret: undefined }, /options\.secret/, 'missing')
})

t.test('refuses bad callback URLs', async (t) => {
  refusal(t, { ...valid, callbackUrl: '/oauth2/google/callback' }, /options\.callbackUrl must be an absolute URL/, 'relative')
  refusal(t, { ...valid, callbackUrl: 'not a url' }, /absolute URL/, 'malformed')
  refusal(t, { ...valid, callbackUrl: 'http://app.example.com/oauth2/google/callback' }, /plain http on a non-loopback host/, 'http outside loopback')
  refusal(t, { ...valid, callbackUrl: 'ftp://app.example.com/oauth2/google/callback' }, /must use https/, 'other scheme')
  refusal(t, { ...valid, callbackUrl: 'https://app.example.com/auth/callback' }, /callback route "\/oauth2\/google\/callback"/, 'wrong path')
  refusal(t, { ...valid, prefix: '/auth' }, /callback route "\/auth\/oauth2\/google\/callback"/, 'path not under prefix')
  refusal(t, { ...valid, callbackUrl: 'https://u:p@app.example.com/oauth2/google/callback' }, /credentials/, 'credentials')
  for (const [name, option] of [['callbackUrl', { callbackUrl: 'https://ada:hunter2@app.example.com/oauth2/google/callback' }], ['endpoints.token', { endpoints: { token: 'http://ada:hunter2@proxy.example.com/token' } }]] as const) {
    const error = (() => { try { resolveOptions({ ...valid, ...option } as GoogleOAuthOptions) } catch (caught) { return caught as Error } })()
    t.match(error?.message, /\/\/\[credentials\]@/, `${name}: the message says where the credentials were`)
    t.notMatch(error?.message, /hunter2|ada:/, `${name}: and never repeats them`)
  }
})

t.test('accepts a prefix whose callback matches it', async (t) => {
  const options = resolveOptions({ ...valid, prefix: '/auth', callbackUrl: 'https://app.example.com/auth/oauth2/google/callback' })
  t.equal(options.loginUrl, '/auth/login')
  t.same(options.routes, { login: '/auth/login', start: '/auth/oauth2/google', callback: '/auth/oauth2/google/callback', logout: '/auth/logout', oneTap: '/auth/oauth2/google/one-tap' }, 'every route path resolved once, with the prefix')
  refusal(t, { ...valid, prefix: 'auth/' }, /options\.prefix/, 'malformed prefix')
})

t.test('validates the other options', async (t) => {
  refusal(t, { ...valid, scopes: 'email' }, /options\.scopes/, 'scopes not an array')
  refusal(t, { ...valid, accessType: 'forever' }, /options\.accessType/, 'accessType')
  refusal(t, { ...valid, loginPage: 'page.html' }, /options\.loginPage/, 'loginPage')
  refusal(t, { ...valid, cookie: { secure: 'yes' } }, /options\.cookie\.secure/, 'cookie.secure')
  refusal(t, { ...valid, cookie: { name: 'bad name' } }, /options\.cookie\.name/, 'cookie.name')
  refusal(t, { ...valid, callbackUrl: 'http://localhost/oauth2/google/callback', cookie: { name: '__Host-x' } }, /needs secure cookies/, '__Host- on http')
  refusal(t, { ...valid, idleTimeout: -1 }, /options\.idleTimeout/, 'idleTimeout')
  refusal(t, { ...valid, idleTimeout: 10_000, absoluteTimeout: 5_000 }, /absoluteTimeout/, 'absolute < idle')
  refusal(t, { ...valid, maxSessions: 1.5 }, /options\.maxSessions/, 'maxSessions')
  refusal(t, { ...valid, endpoints: { tokn: 'https://x.example' } }, /options\.endpoints\.tokn is not a known endpoint/, 'unknown endpoint')
  refusal(t, { ...valid, endpoints: { token: 'http://google.example/token' } }, /options\.endpoints\.token uses plain http/, 'http endpoint')
  refusal(t, { ...valid, store: {} }, /options\.store/, 'store')
  refusal(t, { ...valid, afterLogout: '//evil.example' }, /options\.afterLogout/, 'afterLogout')
  refusal(t, { ...valid, loginUrl: '/\\evil.example' }, /options\.loginUrl must be a plain path/, 'loginUrl with a backslash')
  refusal(t, { ...valid, loginUrl: '/a/..//evil.example' }, /options\.loginUrl/, 'loginUrl normalising to //')
  refusal(t, { ...valid, cookie: { secure: false } }, /cookie\.secure is false but callbackUrl is https/, 'insecure cookie on https')
  refusal(t, { ...valid, cookie: { domain: 'example.com' } }, /options\.cookie\.domain is not a cookie setting/, 'cookie.domain')
  refusal(t, null, /options object/, 'no options')
})

t.test('refuses unknown options, suggesting the likely one', async (t) => {
  refusal(t, { ...valid, hostedDomian: 'example.com' }, /options\.hostedDomian is not an option of this plugin \(did you mean hostedDomain\?\)/, 'typo')
  refusal(t, { ...valid, sessionStore: {} }, /options\.sessionStore is not an option/, 'unknown')
  t.ok(resolveOptions({ ...valid, logLevel: 'warn' } as GoogleOAuthOptions), 'Fastify\'s own plugin options pass')
})

t.test('the options known, and suggested for a typo, are those of the table of readers', async (t) => {
  // That the table holds one reader for every option of GoogleOAuthOptions and no other is checked
  // when compiling: see the `satisfies` after READERS in src/options/table.ts.
  t.same(OPTION_NAMES, Object.keys(READERS), 'the did-you-mean list is the table\'s keys')
  for (const name of Object.keys(READERS)) {
    t.doesNotThrow(() => refuseUnknown({ [name]: undefined }), `${name} is an option`)
    t.throws(() => refuseUnknown({ [name.toUpperCase()]: undefined }), { message: new RegExp(`\\(did you mean ${name}\\?\\)`) }, `${name} is suggested`)
  }
  // docs/options.md's table documents the same options (a row may name several: `appName`, `appUrl`; `cookie.name`),
  // and the README's short table of the options most apps set names only options that exist.
  const named = (table: string): string[] => table.split('\n').flatMap((line) => /^\| (`[^|]+) \|/.exec(line)?.[1]?.match(/`[\w.]+`/g) ?? []).map((name) => name.slice(1, -1).split('.')[0]!)
  const page = readFileSync('docs/options.md', 'utf8')
  const table = page.slice(page.indexOf('\n| option | default |'), page.indexOf('\n\n', page.indexOf('\n| option | default |')))
  t.same([...new Set(named(table))].sort(), Object.keys(READERS).sort(), 'docs/options.md\'s table names every option of the table, and no other')
  const readme = readFileSync('README.md', 'utf8')
  const short = readme.slice(readme.indexOf('\n## The options most apps set\n'), readme.indexOf('\n## ', readme.indexOf('\n## The options most apps set\n') + 1))
  t.ok(named(short).length > 10, 'the README\'s short table of options is found')
  t.same(named(short).filter((name) => !(name in READERS)), [], 'the README\'s short table names only options of the table')
})

t.test('endpoints: only the URLs the plugin calls; certs and discovery are refused, naming the valid keys', async (t) => {
  for (const key of ['certs', 'discovery']) {
    refusal(t, { ...valid, endpoints: { [key]: 'http://127.0.0.1:9/x' } }, new RegExp(`options\\.endpoints\\.${key} is not a known endpoint; use authorization, token, userinfo, revocation, jwks, gsiClient or riscConfiguration \\(ID tokens are verified against jwks`), key)
  }
  // @ts-expect-error: the type refuses them too
  t.throws(() => resolveOptions({ ...valid, endpoints: { certs: 'http://127.0.0.1:9/oauth2/v1/certs' } }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION' })
  refusal(t, { ...valid, endpoints: 'https://proxy.example' }, /options\.endpoints must be \{ authorization, token, userinfo, revocation, jwks, gsiClient, riscConfiguration \} \(got "https:\/\/proxy\.example"\)/, 'not an object')
  t.same(resolveOptions({ ...valid, endpoints: { token: undefined } }).endpoints, GOOGLE_ENDPOINTS, 'a key left undefined keeps Google\'s URL')
  t.same(resolveOptions({ ...valid, endpoints: { jwks: 'https://proxy.example/keys' } }).endpoints, { ...GOOGLE_ENDPOINTS, jwks: 'https://proxy.example/keys' })
})

t.test('refuses both a client secrets file and explicit credentials', async (t) => {
  refusal(t, { ...valid, clientSecretsFile: './client_secrets.json' }, /either options\.clientSecretsFile or options\.clientId/, 'both')
})

t.test('reads client_secrets.json as Google Cloud console downloads it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'goauth-'))
  const file = join(dir, 'client_secrets.json')
  writeFileSync(file, JSON.stringify({ web: { client_id: 'from-file.apps.googleusercontent.com', client_secret: 'file-secret', redirect_uris: [] } }))
  const options = resolveOptions({ callbackUrl: valid.callbackUrl, secret: valid.secret, clientSecretsFile: file })
  t.equal(options.clientId, 'from-file.apps.googleusercontent.com')
  t.equal(options.clientSecret, 'file-secret')

  writeFileSync(file, JSON.stringify({ something: {} }))
  refusal(t, { ...valid, clientId: undefined, clientSecret: undefined, clientSecretsFile: file }, /neither a "web" nor an "installed" section/, 'wrong shape')
  writeFileSync(file, '{ not json')
  refusal(t, { ...valid, clientId: undefined, clientSecret: undefined, clientSecretsFile: file }, /not readable JSON/, 'not JSON')
  refusal(t, { ...valid, clientId: undefined, clientSecret: undefined, clientSecretsFile: join(dir, 'missing.json') }, /does not exist/, 'missing file')
})

t.test('settings that are risky in production are named in a startup warning (security checklist row 37)', async (t) => {
  t.same(resolveOptions(valid).warnings, [], 'none for a plain production setup')
  t.same(resolveOptions({ ...valid, callbackUrl: 'http://localhost:3000/oauth2/google/callback', endpoints: { token: 'http://127.0.0.1:9/token' } }).warnings, [],
    'none in development (plain-http callback) with a local fake Google')

  const fake = resolveOptions({ ...valid, endpoints: { token: 'http://127.0.0.1:9/token', jwks: 'http://localhost:9/oauth2/v3/certs' } })
  t.match(fake.warnings, [/^options\.endpoints\.token, options\.endpoints\.jwks point at a local or plain-http server \("http:\/\/127\.0\.0\.1:9\/token"\) while callbackUrl is https/], 'one warning naming each setting')

  const cookie = resolveOptions({ ...valid, cookie: { name: 'sid' } })
  t.match(cookie.warnings, [/options\.cookie\.name "sid" has no __Host- prefix on https/])
  t.same(resolveOptions({ ...valid, cookie: { name: '__Host-my.sid' } }).warnings, [], 'a custom __Host- name is fine')

  const dir = mkdtempSync(join(tmpdir(), 'goauth-'))
  const file = join(dir, 'client_secrets.json')
  writeFileSync(file, JSON.stringify({ web: { client_id: 'id', client_secret: 'secret', redirect_uris: ['https://app.example.com/other/callback'] } }))
  const secrets = resolveOptions({ callbackUrl: valid.callbackUrl, secret: valid.secret, clientSecretsFile: file })
  t.match(secrets.warnings, [/options\.clientSecretsFile ".*client_secrets\.json" does not list callbackUrl "https:\/\/app\.example\.com\/oauth2\/google\/callback" in its redirect_uris/])
  writeFileSync(file, JSON.stringify({ web: { client_id: 'id', client_secret: 'secret', redirect_uris: [valid.callbackUrl] } }))
  t.same(resolveOptions({ callbackUrl: valid.callbackUrl, secret: valid.secret, clientSecretsFile: file }).warnings, [], 'listed: no warning')
})

t.test('maxSessionsPerUser: 10 by default, a positive integer when given', async (t) => {
  t.equal(resolveOptions(valid).maxSessionsPerUser, 10)
  t.equal(resolveOptions({ ...valid, maxSessionsPerUser: 3 }).maxSessionsPerUser, 3)
  refusal(t, { ...valid, maxSessionsPerUser: 0 }, /options\.maxSessionsPerUser must be a positive integer/, 'zero')
})

t.test('the warnings are logged when the plugin starts', async (t) => {
  const app = await startApp(t, { https: true })
  const warnings = app.logs.map((line) => JSON.parse(line) as { level: number, msg: string }).filter((line) => line.level === 40)
  t.match(warnings, [{ msg: /^fastify-google-oauth: options\.endpoints\.authorization, .* point at a local or plain-http server/ }])
})

t.test('who may sign in: domains and addresses normalised, the hd hint only for one domain, bad lists and hooks refused', async (t) => {
  const one = resolveOptions({ ...valid, hostedDomain: 'Example.COM' })
  t.same(one.policies.hostedDomains, ['example.com'])
  t.equal(one.hostedDomain, 'example.com', 'one domain is sent to Google as the hd hint')
  const two = resolveOptions({ ...valid, hostedDomain: ['a.example', 'B.example', 'a.example'] })
  t.same(two.policies.hostedDomains, ['a.example', 'b.example'])
  t.equal(two.hostedDomain, null, 'several: no hint (Google takes one)')
  const lists = resolveOptions({ ...valid, allowedEmails: ['Ada@EXAMPLE.com'], allowedDomains: ['Example.com'] })
  t.same(lists.policies, { hostedDomains: [], allowedEmails: ['Ada@example.com'], allowedDomains: ['example.com'], emailTrust: 'verified' })
  t.same(resolveOptions(valid).policies, { hostedDomains: [], allowedEmails: [], allowedDomains: [], emailTrust: 'verified' }, 'none by default')
  t.equal(resolveOptions({ ...valid, emailTrust: 'authoritative' }).policies.emailTrust, 'authoritative')
  refusal(t, { ...valid, emailTrust: 'strict' }, /options\.emailTrust must be 'verified' or 'authoritative'/, 'emailTrust')
  t.match(resolveOptions({ ...valid, allowedDomains: ['example.com'] }).warnings, [/admit consumer Google accounts made on those addresses/], 'verified addresses of a company domain: a warning in production')
  t.same(resolveOptions({ ...valid, allowedDomains: ['example.com'], emailTrust: 'authoritative' }).warnings, [], 'none when only authoritative addresses count')
  t.same(resolveOptions({ ...valid, allowedEmails: ['someone@gmail.com'] }).warnings, [], 'nor for Gmail addresses')
  t.equal(resolveOptions(valid).onSignInTimeout, 10_000)

  refusal(t, { ...valid, hostedDomain: [] }, /hostedDomain must be a domain such as "example.com", or a non-empty array/, 'an empty list')
  refusal(t, { ...valid, hostedDomain: 'https://example.com' }, /hostedDomain/, 'a URL')
  refusal(t, { ...valid, allowedDomains: 'example.com' }, /allowedDomains must be a non-empty array of domains/, 'a string')
  refusal(t, { ...valid, allowedDomains: ['@example.com'] }, /allowedDomains/, 'an address-like domain')
  refusal(t, { ...valid, allowedEmails: ['ada'] }, /allowedEmails must be a non-empty array of addresses/, 'not an address')
  refusal(t, { ...valid, allowedEmails: [] }, /allowedEmails/, 'an empty list')
  refusal(t, { ...valid, onSignIn: 'admin' }, /onSignIn must be a function \(got "admin"\)/, 'onSignIn')
  refusal(t, { ...valid, onEvent: {} }, /onEvent must be a function/, 'onEvent')
  refusal(t, { ...valid, onSignInTimeout: 0 }, /onSignInTimeout/, 'onSignInTimeout')
})

t.test('oneTap: off by default, true shows the button and the prompt, either can be turned off, not both', async (t) => {
  t.equal(resolveOptions(valid).oneTap, null)
  t.same(resolveOptions({ ...valid, oneTap: true }).oneTap, { button: true, prompt: true })
  t.same(resolveOptions({ ...valid, oneTap: { prompt: false } }).oneTap, { button: true, prompt: false })
  refusal(t, { ...valid, oneTap: { button: false, prompt: false } }, /shows nothing/, 'nothing to show')
  refusal(t, { ...valid, oneTap: { autoSelect: true } }, /oneTap\.autoSelect is not a setting of oneTap/, 'an unknown setting')
  refusal(t, { ...valid, oneTap: 'yes' }, /options\.oneTap must be true, false or/, 'a string')
  refusal(t, { ...valid, oneTap: true, loginPage: false }, /options\.oneTap shows Google's button and One Tap on the login page, which loginPage: false removes/, 'without a login page')
  t.equal(resolveOptions({ ...valid, endpoints: { gsiClient: 'http://127.0.0.1:9/gsi/client' } }).endpoints.gsiClient, 'http://127.0.0.1:9/gsi/client', 'Google\'s script can be pointed elsewhere (the fake Google)')
})

/** Every option that is a number of milliseconds. */
const DURATIONS = ['googleTimeout', 'onSignInTimeout', 'loginTimeout', 'idleTimeout', 'absoluteTimeout'] as const
/** The longest delay Node's timers keep: one longer fires after 1 ms. */
const LONGEST = 2_147_483_647

t.test('every duration option: a whole number of ms up to 2147483647, the longest delay Node\'s timers keep', async (t) => {
  for (const name of DURATIONS) {
    t.equal(resolveOptions({ ...valid, [name]: LONGEST })[name], LONGEST, `${name} at the limit`)
    for (const over of [LONGEST + 1, 1e12]) {
      refusal(t, { ...valid, [name]: over }, new RegExp(`options\\.${name} must be at most 2147483647 ms \\(about 24\\.8 days\\).*\\(got number ${over}\\)`), `${name} at ${over}`)
    }
    refusal(t, { ...valid, [name]: 1.5 }, new RegExp(`options\\.${name} must be a whole number of milliseconds from 1 to 2147483647 \\(got number 1\\.5\\)`), `${name}: a fraction`)
    refusal(t, { ...valid, [name]: Infinity }, new RegExp(`options\\.${name} must be a whole number`), `${name}: Infinity`)
  }
  t.equal(resolveOptions({ ...valid, googleTimeout: LONGEST }).googleDeadline, LONGEST, 'a whole sign-in\'s calls to Google: 2.5 × googleTimeout, within the limit too')
  t.equal(resolveOptions(valid).googleDeadline, 10_000)
})

t.test('false turns off onSignInTimeout and idleTimeout; the others always hold', async (t) => {
  t.equal(resolveOptions({ ...valid, onSignInTimeout: false }).onSignInTimeout, Infinity, 'onSignIn: no time limit')
  refusal(t, { ...valid, onSignInTimeout: 0 }, /options\.onSignInTimeout .*\(got number 0\)\. Give false for no time limit\./, 'onSignInTimeout: 0 is not how')
  refusal(t, { ...valid, onSignInTimeout: LONGEST + 1 }, /Give false for no time limit\./, 'the message over the limit says how to turn it off')

  const noIdle = resolveOptions({ ...valid, idleTimeout: false })
  t.same([noIdle.idleTimeout, noIdle.absoluteTimeout], [7 * DAY, 7 * DAY], 'no idle limit: sessions end at absoluteTimeout')
  const noIdleMonth = resolveOptions({ ...valid, idleTimeout: false, absoluteTimeout: 20 * DAY })
  t.same([noIdleMonth.idleTimeout, noIdleMonth.absoluteTimeout], [20 * DAY, 20 * DAY], 'whatever absoluteTimeout is')
  refusal(t, { ...valid, idleTimeout: 0 }, /options\.idleTimeout .*Give false to end sessions only at absoluteTimeout/, 'idleTimeout: 0 is not how')

  for (const [name, why] of [
    ['googleTimeout', /every call to Google needs a deadline/],
    ['loginTimeout', /a started sign-in must expire/],
    ['absoluteTimeout', /every session needs an end/]
  ] as const) {
    for (const off of [false, 0]) refusal(t, { ...valid, [name]: off }, new RegExp(`options\\.${name} .*\\(got (boolean false|number 0)\\)\\. It cannot be turned off: ${why.source}`), `${name}: ${String(off)}`)
    refusal(t, { ...valid, [name]: LONGEST + 1 }, new RegExp(`It cannot be turned off: ${why.source}`), `${name}: over the limit, the message says it cannot be turned off`)
  }
})

t.test('the longest durations work end to end: no timer overflows into an instant timeout', async (t) => {
  t.test('googleTimeout at the limit: a sign-in\'s calls to Google are not cut off', async (t) => {
    const app = await startApp(t, { plugin: { googleTimeout: LONGEST } })
    t.equal((await app.signInAs('ada@example.com')).user.email, 'ada@example.com')
  })

  for (const [limit, takes] of [[LONGEST, MINUTE], [false, 6 * HOUR]] as const) {
    t.test(`onSignInTimeout ${String(limit)}: an onSignIn that takes ${takes / MINUTE} minutes still signs in`, async (t) => {
      const clock = testClock()
      let started = false
      const app = await startApp(t, {
        clock,
        plugin: {
          onSignInTimeout: limit,
          onSignIn: async () => {
            started = true
            await new Promise((resolve) => clock.setTimeout(() => resolve(undefined), takes))
          }
        }
      })
      const signingIn = app.signInAs('ada@example.com')
      await until(() => started, 'onSignIn to be called')
      await clock.tick(takes)
      t.equal((await signingIn).user.email, 'ada@example.com')
    })
  }

  t.test('idleTimeout false: a session left unused for days lasts until absoluteTimeout, then ends', async (t) => {
    const clock = testClock()
    const app = await startApp(t, { clock, plugin: { idleTimeout: false, absoluteTimeout: 3 * DAY } })
    const { headers } = await app.signInAs('ada@example.com')
    await clock.tick(2 * DAY)
    t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 200, 'two days unused (the default idle limit is one)')
    await clock.tick(DAY + 1)
    t.equal((await app.app.inject({ url: '/api/me', headers })).statusCode, 401, 'past three days after signing in')
  })
})
