import type { SessionStore } from '@fastify/session'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { BoundedMemoryStore } from '../../src/index.js'
import type { GoogleTokens } from '../../src/types.js'
import { startApp, type TestApp, type TestAppOptions } from '../fixtures/app.js'
import type { Browser } from '../fixtures/browser.js'
import { CountingStore } from '../fixtures/counting-store.js'
import { fileStore } from '../fixtures/file-store.js'
import { hostSession } from '../fixtures/host-session.js'
import { CLIENT_KINDS, pluginRedisStore, ready } from '../fixtures/redis.js'
import { withStoredTokens } from '../fixtures/sealed-tokens.js'

/** Every way a token could sit in a store's raw data: as is, base64 (at any alignment), base64url, hex, JSON-escaped. */
function formsOf (token: string): string[] {
  const forms = [token, Buffer.from(token).toString('hex'), JSON.stringify(token).slice(1, -1)]
  for (const encoding of ['base64', 'base64url'] as const) {
    // Inside a longer encoded value the token's encoding depends on its offset: drop the characters its neighbours share.
    for (const offset of [0, 1, 2]) forms.push(Buffer.from('x'.repeat(offset) + token).toString(encoding).slice(4, -4))
  }
  return forms
}

/** The tokens (by name) found in `raw` in any form. */
function leaks (raw: string, tokens: GoogleTokens): string[] {
  const named = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken!, idToken: tokens.idToken }
  return Object.entries(named).filter(([, token]) => formsOf(token).some((form) => raw.includes(form))).map(([name]) => name)
}

const tokenRoute = (app: FastifyInstance): void => {
  app.get('/tokens', { preHandler: [app.authenticate] }, async (request) => request.googleTokens)
}

async function tokensOf (app: TestApp, b: Browser): Promise<GoogleTokens> {
  const response = await b.request(`${app.url}/tokens`)
  if (response.status !== 200) throw new Error(`/tokens answered ${response.status}`)
  return await response.json() as GoogleTokens
}

/** Reads every value a callback store holds for the ids given, as the store returns them. */
const valuesOf = async (store: SessionStore, ids: string[]): Promise<string> => (await Promise.all(ids.map((id) =>
  new Promise<unknown>((resolve, reject) => store.get(id, (error, value) => error ? reject(error) : resolve(value)))))).map((value) => JSON.stringify(value)).join('\n')

const sessionIdOf = (app: TestApp, b: Browser, cookie = 'goauth.sid'): string => decodeURIComponent(b.cookiesFor(app.url)[cookie]!).split('.')[0]!

interface StoreCase {
  name: string
  setup (t: Test): Promise<{ options: TestAppOptions, cookie?: string, dump (app: TestApp, b: Browser): Promise<string> }>
}

const cases: StoreCase[] = [
  {
    name: 'the default store (its stored records)',
    async setup () {
      const store = new BoundedMemoryStore({ maxSessions: 100, ttl: 3_600_000 })
      return { options: { plugin: { store } }, dump: async () => await valuesOf(store, store.indexedSessions()) }
    }
  },
  ...CLIENT_KINDS.map((kind): StoreCase => ({
    name: `the plugin's Redis store, ${kind} (every key under its prefix, raw)`,
    async setup (t) {
      const { store, client, prefix } = pluginRedisStore(t, { client: kind })
      await ready(client)
      return {
        options: { plugin: { store } },
        async dump () {
          const raw: string[] = []
          for (const key of await client.keys(`${prefix}*`)) {
            const type = await client.type(key)
            if (type === 'hash') raw.push(JSON.stringify(await client.hgetall(key)))
            else if (type === 'string') raw.push((await client.get(key))!)
            else if (type === 'zset') raw.push((await client.zrange(key, 0, -1)).join(' '))
          }
          return raw.join('\n')
        }
      }
    }
  })),
  {
    name: 'a generic @fastify/session store (a file per session)',
    async setup (t) {
      const store = fileStore(t)
      return { options: { plugin: { store } }, dump: async (app, b) => await valuesOf(store, [sessionIdOf(app, b)]) }
    }
  },
  {
    name: 'the app\'s own @fastify/session',
    async setup () {
      const store = new CountingStore()
      return { options: { before: hostSession(store) }, cookie: 'host.sid', dump: async (app, b) => await valuesOf(store, [sessionIdOf(app, b, 'host.sid')]) }
    }
  }
]

for (const { name, setup } of cases) {
  t.test(`${name}: no Google token in the raw data, in any form; request.googleTokens still gives them`, async (t) => {
    const { options, dump } = await setup(t)
    const app = await startApp(t, { ...options, plugin: { ...options.plugin, accessType: 'offline' }, routes: tokenRoute })
    const b = app.browser()
    await app.signIn(b)
    const tokens = await tokensOf(app, b)
    t.match(tokens, { accessToken: /^ya29\./, refreshToken: /\S/, idToken: /^eyJ/ }, 'the route gets every token')
    const raw = await dump(app, b)
    t.match(raw, /ada@example\.com/, 'the dump holds the session')
    t.same(leaks(raw, tokens), [], 'and none of its tokens')

    t.equal((await b.request(`${app.url}/api/google-profile?expire=1`)).status, 200, 'a call to Google refreshes the tokens')
    const refreshed = await tokensOf(app, b)
    t.not(refreshed.accessToken, tokens.accessToken, 'new tokens')
    const after = await dump(app, b)
    t.same([...leaks(after, refreshed), ...leaks(after, tokens)], [], 'stored sealed too')
  })
}

t.test('the sealed value is bound to its user: copied into another user\'s session, it does not open', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { plugin: { store, accessType: 'offline' }, routes: tokenRoute })
  const ada = app.browser()
  await app.signIn(ada)
  app.google.setAutoConsent('grace@example.com')
  const grace = app.browser()
  await app.signIn(grace)
  const [adaId, graceId] = [sessionIdOf(app, ada), sessionIdOf(app, grace)]
  const [adas, graces] = [JSON.parse(await valuesOf(store, [adaId])), JSON.parse(await valuesOf(store, [graceId]))] as Array<{ googleTokens: unknown }>
  await new Promise((resolve) => store.set(graceId, { ...graces, googleTokens: adas!.googleTokens } as never, resolve))
  t.equal((await grace.request(`${app.url}/api/me`)).status, 401, 'signed out')
  t.ok(app.logs.some((line) => line.includes('"reason":"tokens-unreadable"')), 'logged with its reason')
  t.equal((await ada.request(`${app.url}/api/me`)).status, 200, 'the owner is still signed in')
})

t.test('rotating secret: [NEW, OLD] keeps sessions and their tokens, which are sealed again under NEW', async (t) => {
  const [OLD, NEW] = ['old-secret-old-secret-old-secret-0000', 'new-secret-new-secret-new-secret-1111']
  const store = new CountingStore()
  const first = await startApp(t, { plugin: { store, secret: OLD, accessType: 'offline' }, routes: tokenRoute })
  const b = first.browser()
  await first.signIn(b)
  const tokens = await tokensOf(first, b)
  const cookie = `goauth.sid=${b.cookiesFor(first.url)['goauth.sid']!}`
  const rotated = await startApp(t, { plugin: { store, secret: [NEW, OLD] }, routes: tokenRoute })
  const answer = await rotated.app.inject({ url: '/tokens', headers: { cookie } })
  t.equal(answer.statusCode, 200)
  t.same(answer.json(), tokens, 'the same tokens, opened with the old secret')
  const resigned = answer.headers['set-cookie']!.toString().split(';')[0]!
  const onlyNew = await startApp(t, { plugin: { store, secret: NEW }, routes: tokenRoute })
  const later = await onlyNew.app.inject({ url: '/tokens', headers: { cookie: resigned } })
  t.equal(later.statusCode, 200, 'the old secret can go: the cookie was signed again, the tokens sealed again')
  t.same(later.json(), tokens)
})

t.test('tokens that cannot be opened count as signed out, logged once per reason, never a 500', async (t) => {
  for (const [what, change, reason] of [
    ['sealed under an unknown key', (session: object) => withStoredTokens(session, (tokens) => tokens, 'another-secret-another-secret-999999'), 'tokens-unknown-key'],
    ['tampered with', (session: { googleTokens: { sealed: string } }) => {
      const sealed = session.googleTokens.sealed
      const middle = Math.floor(sealed.length / 2)
      return { ...session, googleTokens: { sealed: sealed.slice(0, middle) + (sealed[middle] === 'A' ? 'B' : 'A') + sealed.slice(middle + 1) } }
    }, 'tokens-unreadable']
  ] as const) {
    const store = new CountingStore()
    const app = await startApp(t, { plugin: { store, accessType: 'offline' }, routes: tokenRoute })
    const browsers = [app.browser(), app.browser()]
    for (const b of browsers) {
      await app.signIn(b)
      const id = sessionIdOf(app, b)
      const stored = JSON.parse(await valuesOf(store, [id])) as never
      await new Promise((resolve) => store.set(id, change(stored) as never, resolve))
    }
    for (const b of browsers) {
      t.equal((await b.request(`${app.url}/api/google-profile`)).status, 401, `${what}: signed out`)
      t.equal((await b.request(`${app.url}/api/me`)).status, 401, `${what}: and stays so`)
    }
    t.equal(app.logs.filter((line) => line.includes(`"reason":"${reason}"`) && line.includes('"level":40')).length, 1, `${what}: one warning`)
    t.ok(app.logs.some((line) => line.includes(`"reason":"${reason}"`) && line.includes('session cookie ignored')), `${what}: each refusal at debug`)
    t.notOk(app.logs.some((line) => /"level":50/.test(line)), 'no error')
  }
})

t.test('in the app\'s own @fastify/session, tokens under an unknown key sign the user out of the plugin only', async (t) => {
  const store = new CountingStore()
  const app = await startApp(t, { before: hostSession(store), plugin: { accessType: 'offline' }, routes: tokenRoute })
  const b = app.browser()
  await app.signIn(b)
  const id = sessionIdOf(app, b, 'host.sid')
  const session = JSON.parse(await valuesOf(store, [id])) as object
  await new Promise((resolve) => store.set(id, withStoredTokens(session, (tokens) => tokens, 'another-secret-another-secret-999999') as never, resolve))
  t.equal((await b.request(`${app.url}/api/me`)).status, 401, 'signed out')
  t.ok(app.logs.some((line) => line.includes('"reason":"tokens-unknown-key"')), 'logged with its reason')
})
