import t, { type Test } from 'tap'
import { refuseSignIn, type GoogleOAuthEvent, type GoogleOAuthOptions } from '../../src/index.js'
import { startApp, type TestApp } from '../fixtures/app.js'
import { testClock } from '../fixtures/clock.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { hostSession } from '../fixtures/host-session.js'
import { ready, redisStore } from '../fixtures/redis.js'
import { until } from '../fixtures/wait.js'

declare module '../../src/types.js' {
  interface GoogleUser {
    role?: 'admin' | 'member'
    accountId?: number
  }
}

const ADA = 'ada@example.com'
const GRACE = 'grace@example.com'
const CHARLES = 'charles@analytical.example'

const ROLES: GoogleOAuthOptions['onSignIn'] = async ({ user }) => user.email === ADA ? { role: 'admin', accountId: 42 } : { role: 'member' }

/** The callback's answer to a sign-in of `who`, as an API client reads it. */
async function callbackAnswer (app: TestApp, who: string, accept = 'application/json'): Promise<{ status: number, body: string }> {
  app.google.setAutoConsent(who)
  const b = app.browser()
  const callback = await app.callbackFromGoogle(b)
  const response = await b.request(callback.href, { headers: { accept } })
  return { status: response.status, body: await response.text() }
}

const modes: Array<[string, (t: Test) => Promise<NonNullable<Parameters<typeof startApp>[1]>>]> = [
  ['the plugin\'s own sessions', async () => ({})],
  ['the app\'s own @fastify/session', async () => ({ before: hostSession() })],
  ['a Redis store', async (t) => {
    const { store, client } = redisStore(t)
    await ready(client)
    return { plugin: { store } }
  }]
]

for (const [mode, setup] of modes) {
  t.test(`onSignIn's fields are stored with the user, read-only, on every later request (${mode})`, async (t) => {
    const base = await setup(t)
    const app = await startApp(t, {
      ...base,
      plugin: { ...base.plugin, onSignIn: ROLES },
      routes: (app) => app.get('/role', { preHandler: [app.authenticate] }, async (request) => {
        let frozen = false
        try { (request.googleUser as { role?: string }).role = 'member' } catch { frozen = true }
        return { role: request.googleUser!.role, accountId: request.googleUser!.accountId, frozen }
      })
    })
    const ada = await app.signInAs(ADA)
    t.same((await app.app.inject({ url: '/role', headers: ada.headers })).json(), { role: 'admin', accountId: 42, frozen: true })
    t.same((await app.app.inject({ url: '/role', headers: ada.headers })).json(), { role: 'admin', accountId: 42, frozen: true }, 'and again')
    const grace = await app.signInAs(GRACE)
    t.same((await app.app.inject({ url: '/role', headers: grace.headers })).json(), { role: 'member', frozen: true })
  })

  t.test(`refusals store nothing and consume the attempt (${mode})`, async (t) => {
    const base = await setup(t)
    const called: string[] = []
    const app = await startApp(t, {
      ...base,
      plugin: {
        ...base.plugin,
        allowedDomains: ['example.com'],
        onSignIn: ({ user }) => {
          called.push(user.email!)
          if (user.email === GRACE) throw refuseSignIn('Ask <b>an admin</b> for access')
          return undefined
        }
      }
    })
    const byPolicy = await callbackAnswer(app, CHARLES)
    t.equal(byPolicy.status, 403)
    t.match(JSON.parse(byPolicy.body), { code: 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED', message: /may not sign in here/ })
    t.same(called, [], 'a policy refusal comes before onSignIn')
    t.match(app.logs.join(''), /"reason":"email-not-allowed"/, 'with its own reason in the log')

    const byHook = await callbackAnswer(app, GRACE)
    t.equal(byHook.status, 403)
    t.match(JSON.parse(byHook.body), { code: 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED', message: 'Ask <b>an admin</b> for access' })
    const page = await callbackAnswer(app, GRACE, 'text/html')
    t.match(page.body, /Ask &lt;b&gt;an admin&lt;\/b&gt; for access/, 'browsers see the app\'s message, escaped')

    const b = app.browser()
    app.google.setAutoConsent(GRACE)
    const callback = await app.callbackFromGoogle(b)
    t.equal((await b.request(callback.href, { headers: { accept: 'application/json' } })).status, 403)
    t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'nobody signed in')
    t.equal(Object.keys(b.cookiesFor(app.url)).filter((name) => name.endsWith('.sid')).length, 0, 'no session cookie')
    const again = await b.request(callback.href, { headers: { accept: 'application/json' } })
    t.match([again.status, await again.json()], [403, { code: 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED', message: /does not retry it/ }], 'the attempt was consumed: opened again, it says the refusal again and signs nobody in')
    t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'still nobody signed in')
    t.equal((await app.signInAs(ADA)).user.email, ADA, 'an allowed account signs in')
  })
}

t.test('onSignIn returning false, throwing, hanging or changing the id: clear codes, nothing stored', async (t) => {
  const store = new CountingStore()
  const behaviours: Record<string, NonNullable<GoogleOAuthOptions['onSignIn']>> = {
    [ADA]: () => false,
    [GRACE]: () => { throw new Error('database down near ya29.a0AfH6SMsecret-token') },
    [CHARLES]: () => ({ id: 'someone-else' } as never)
  }
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { plugin: { store, onSignIn: ({ user }) => behaviours[user.email!]!({ user } as never), onEvent: (event) => { events.push(event) } } })
  const writes = store.sets
  const refused = await callbackAnswer(app, ADA)
  t.match([refused.status, JSON.parse(refused.body).code], [403, 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED'], 'false refuses')
  const threw = await callbackAnswer(app, GRACE)
  t.match([threw.status, JSON.parse(threw.body).code], [500, 'FST_GOOGLE_OAUTH_INTERNAL'], 'a throw is a 500')
  t.notMatch(threw.body, /database down|ya29/, 'its message is not sent')
  const logged = app.logs.find((line) => line.includes('on-sign-in-threw'))!
  t.match(logged, /database down near \[redacted\]/, 'its stack is logged, tokens redacted')
  const changed = await callbackAnswer(app, CHARLES)
  t.match([changed.status, JSON.parse(changed.body).code], [500, 'FST_GOOGLE_OAUTH_INTERNAL'], 'the user\'s id cannot change')
  t.equal(store.sets, writes, 'no session was written')
  t.match(events.filter((event) => event.type === 'sign-in-failed' || event.type === 'sign-in-refused').map((event) => 'reason' in event && event.reason),
    ['on-sign-in', 'on-sign-in-threw', 'on-sign-in-changed-id'], 'audit logs hear of refusals and of the hook failing')

  const clock = testClock()
  let started = false
  const slow = await startApp(t, { clock, plugin: { onSignIn: () => { started = true; return new Promise(() => {}) }, onEvent: (event) => { events.push(event) } } })
  const answer = callbackAnswer(slow, ADA)
  await until(() => started, 'onSignIn to be called')
  await clock.tick(10_001)
  const hung = await answer
  t.match([hung.status, JSON.parse(hung.body).code], [504, 'FST_GOOGLE_OAUTH_SIGN_IN_HOOK_TIMEOUT'], 'a hook that hangs is cut off')
  t.match(events.at(-1), { type: 'sign-in-failed', reason: 'on-sign-in-timeout' })
})

t.test('policies: hostedDomain takes a list, allowedEmails is exact with a case-insensitive domain, only verified addresses count', async (t) => {
  const workspace = await startApp(t, { plugin: { hostedDomain: ['analytical.example', 'other.example'] } })
  t.equal((await workspace.signInAs(CHARLES)).user.hostedDomain, 'analytical.example')
  const consumer = await callbackAnswer(workspace, ADA)
  t.match([consumer.status, JSON.parse(consumer.body).code], [403, 'FST_GOOGLE_OAUTH_HOSTED_DOMAIN_MISMATCH'])
  t.match(workspace.logs.join(''), /"reason":"hd-missing"/)

  const emails = await startApp(t, { plugin: { allowedEmails: ['ada@EXAMPLE.com'] } })
  t.equal((await emails.signInAs(ADA)).user.email, ADA, 'the domain compares case-insensitively')
  await t.rejects(emails.signInAs(ADA, { claims: { email: 'Ada@example.com' } }), /403 FST_GOOGLE_OAUTH_SIGN_IN_REFUSED/, 'the local part exactly')
  await t.rejects(emails.signInAs(ADA, { claims: { email_verified: false } }), /403 FST_GOOGLE_OAUTH_SIGN_IN_REFUSED/, 'an unverified address never counts')
  t.match(emails.logs.join(''), /"reason":"email-not-verified"/)
  await t.rejects(emails.signInAs(GRACE), /403/)

  const domains = await startApp(t, { plugin: { allowedDomains: ['Example.COM'] } })
  t.equal((await domains.signInAs(GRACE)).user.email, GRACE)
  await t.rejects(domains.signInAs(CHARLES), /403 FST_GOOGLE_OAUTH_SIGN_IN_REFUSED/)
})

t.test('the fields onSignIn stored survive a restart with Redis', async (t) => {
  const { store, client, prefix } = redisStore(t)
  await ready(client)
  const first = await startApp(t, { plugin: { store, onSignIn: ROLES } })
  const { headers } = await first.signInAs(ADA)
  await first.app.close()
  const { store: again, client: second } = redisStore(t, undefined, prefix)
  await ready(second)
  const restarted = await startApp(t, { plugin: { store: again, onSignIn: () => { throw new Error('not called on later requests') } } })
  t.match((await restarted.app.inject({ url: '/api/me', headers })).json(), { email: ADA, role: 'admin', accountId: 42 })
})

t.test('fastify.googleOAuth.updateUser changes the app\'s fields later, never the id', async (t) => {
  for (const before of [undefined, hostSession()]) {
    const app = await startApp(t, {
      ...(before !== undefined && { before }),
      plugin: { onSignIn: ROLES },
      routes: (app) => {
        app.post('/demote', { preHandler: [app.authenticate] }, async (request) => app.googleOAuth.updateUser(request, { role: 'member', id: 'x' } as never))
        app.post('/unguarded', async (request) => app.googleOAuth.updateUser(request, { role: 'admin' }))
      }
    })
    t.match((await app.app.inject({ method: 'POST', url: '/unguarded' })).json(), { statusCode: 401, code: 'FST_GOOGLE_OAUTH_UNAUTHENTICATED' }, 'nobody to update when signed out')
    const { headers } = await app.signInAs(ADA)
    const updated = (await app.app.inject({ method: 'POST', url: '/demote', headers })).json()
    t.match(updated, { role: 'member', accountId: 42, email: ADA })
    t.not(updated.id, 'x', 'the id stays Google\'s')
    t.match((await app.app.inject({ url: '/api/me', headers })).json(), { role: 'member' }, 'stored for later requests')
  }
})
