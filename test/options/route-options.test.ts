import Fastify, { type FastifyContextConfig, type FastifyPluginAsync, type onRequestHookHandler, type RouteOptions } from 'fastify'
import t, { type Test } from 'tap'
import googleOAuth from '../../src/index.js'
import type { GoogleOAuthOptions } from '../../src/options.js'
import { resolveOptions } from '../../src/options/resolve.js'
import { startFakeGoogle } from '../../src/testing/index.js'
import { startApp } from '../fixtures/app.js'

// Loaded by a name the compiler does not follow: its typing of FastifyContextConfig (rateLimit) would
// make every other config key of this project's routes a type error. test/types/consumer.ts
// checks the option against that typing.
const RATE_LIMIT: string = '@fastify/rate-limit'
const { default: rateLimit } = await import(RATE_LIMIT) as { default: FastifyPluginAsync<{ global: boolean }> }

const valid: GoogleOAuthOptions = {
  clientId: 'id.apps.googleusercontent.com',
  clientSecret: 'client-secret',
  callbackUrl: 'https://app.example.com/oauth2/google/callback',
  secret: 'x'.repeat(32)
}

function refusal (t: Test, routeOptions: unknown, pattern: RegExp, name: string): void {
  t.throws(() => resolveOptions({ ...valid, routeOptions } as GoogleOAuthOptions), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: pattern }, name)
}

/** Config keys of the test's own (an app declares its own on FastifyContextConfig). */
const own = (config: Record<string, unknown>): FastifyContextConfig => config

const hook: onRequestHookHandler = (_request, _reply, done) => done()
const other: onRequestHookHandler = (_request, _reply, done) => done()

t.test('routeOptions: all\'s settings go to every route, a route\'s own are added to them', async (t) => {
  const { routeOptions } = resolveOptions({
    ...valid,
    routeOptions: { all: { config: own({ tag: 'auth', level: 1 }), onRequest: hook }, start: { config: own({ level: 2 }), onRequest: [other] } }
  })
  t.same(routeOptions.start, { config: { tag: 'auth', level: 2 }, onRequest: [hook, other] }, 'the route\'s config key wins; all\'s hooks run first')
  t.same(routeOptions.callback, { config: { tag: 'auth', level: 1 }, onRequest: [hook] })
  t.same(resolveOptions(valid).routeOptions.logout, { config: {}, onRequest: [] }, 'nothing by default')
})

t.test('routeOptions: a wrong value stops startup, saying what it takes', async (t) => {
  refusal(t, [], /options\.routeOptions must be \{ all, login, start, callback, logout, oneTap, risc, dbscRegister, dbscRefresh \} \(got an array\)/, 'not an object')
  refusal(t, { signIn: {} }, /options\.routeOptions\.signIn is not a route of this plugin; use all, login, start, callback, logout, oneTap, risc, dbscRegister or dbscRefresh \(the names of fastify\.googleOAuth\.routes/, 'unknown route')
  refusal(t, { start: { schema: {} } }, /options\.routeOptions\.start\.schema is not a route option this plugin takes; use config or onRequest \(the handler, schema/, 'a route option the plugin keeps')
  refusal(t, { start: { preHandler: hook } }, /options\.routeOptions\.start\.preHandler is not a route option/, 'preHandler')
  refusal(t, { start: { config: 'rateLimit' } }, /options\.routeOptions\.start\.config must be an object of route settings such as \{ rateLimit: .*\(got "rateLimit"\)/, 'config a string')
  refusal(t, { all: { config: [] } }, /options\.routeOptions\.all\.config must be an object/, 'config an array')
  refusal(t, { all: { config: new Map() } }, /options\.routeOptions\.all\.config must be an object/, 'config not a plain object')
  refusal(t, { logout: { onRequest: 'limit' } }, /options\.routeOptions\.logout\.onRequest must be an onRequest hook, \(request, reply\) => …, or an array of them \(got "limit"\)/, 'onRequest not a function')
  refusal(t, { logout: { onRequest: [hook, null] } }, /options\.routeOptions\.logout\.onRequest/, 'an array holding something else')
})

t.test('every route the plugin adds carries them when it is added, where route-level plugins read them', async (t) => {
  const seen: RouteOptions[] = []
  const counted: string[] = []
  const count: onRequestHookHandler = (request, _reply, done) => { counted.push(`${request.method} ${request.url}`); done() }
  const app = await startApp(t, {
    before: (server) => { server.addHook('onRoute', (route) => { seen.push({ ...route, config: { ...route.config } }) }) },
    plugin: { oneTap: true, routeOptions: { all: { config: own({ marked: true }), onRequest: count }, start: { config: own({ start: true }) } } }
  })
  const paths: string[] = Object.values(app.app.googleOAuth.routes)
  const plugin = seen.filter((route) => paths.includes(route.url))
  t.same(plugin.map((route) => `${String(route.method)} ${route.url}`).sort(), [
    'GET /login', 'GET /logout', 'GET /oauth2/google', 'GET /oauth2/google/callback',
    'HEAD /login', 'HEAD /logout', 'HEAD /oauth2/google', 'HEAD /oauth2/google/callback',
    'POST /logout', 'POST /oauth2/google/one-tap'
  ], 'the plugin\'s routes, one-tap included')
  for (const route of plugin) {
    t.match(route.config, { marked: true }, `${String(route.method)} ${route.url}: config`)
    t.ok(([] as unknown[]).concat(route.onRequest).includes(count), `${String(route.method)} ${route.url}: onRequest`)
  }
  t.same(plugin.filter((route) => (route.config as { start?: boolean }).start === true).map((route) => `${String(route.method)} ${route.url}`).sort(), ['GET /oauth2/google', 'HEAD /oauth2/google'], 'a route\'s own only on it')
  await app.app.inject('/login')
  t.same(counted, ['GET /login'], 'the hook runs')
  const logout = plugin.find((route) => route.method === 'POST')!
  t.equal(([] as unknown[]).concat(logout.onRequest).at(-1), app.app.googleOAuth.sameOrigin, 'the plugin\'s own hooks come after the app\'s')
})

t.test('@fastify/rate-limit on the start route: the 11th sign-in start from one address within a minute gets 429', async (t) => {
  const { app } = await startApp(t, {
    // Registered before the plugin: it reads config.rateLimit as the plugin's routes are added.
    before: async (server) => { await server.register(rateLimit, { global: false }) },
    plugin: { prefix: '/auth', routeOptions: { start: { config: own({ rateLimit: { max: 10, timeWindow: '1 minute' } }) } } }
  })
  const start = (remoteAddress: string) => app.inject({ url: '/auth/oauth2/google?returnTo=/profile', remoteAddress, headers: { accept: 'application/json' } })
  for (let i = 1; i <= 10; i++) t.equal((await start('203.0.113.7')).statusCode, 302, `start ${i} goes to Google`)
  const limited = await start('203.0.113.7')
  t.equal(limited.statusCode, 429, 'the 11th is refused')
  t.match(limited.json(), { statusCode: 429, code: 'FST_GOOGLE_OAUTH_TOO_MANY_REQUESTS', message: /Too many requests/ }, 'in the plugin\'s error format, saying what happened')
  t.equal(limited.headers['x-ratelimit-limit'], '10')
  t.match(limited.headers['retry-after'], /^\d+$/, 'saying when to try again')
  t.notMatch(limited.body, /at .*\.js:\d+/, 'no stack trace')
  t.equal((await start('198.51.100.2')).statusCode, 302, 'another address is not limited')
  for (let i = 1; i <= 11; i++) t.equal((await app.inject({ url: '/auth/login', remoteAddress: '203.0.113.7' })).statusCode, 200, `login page ${i}: only the start route is limited`)
})

t.test('config.rateLimit without @fastify/rate-limit registered first stops startup: the routes would be silently unlimited', async (t) => {
  const limits = { routeOptions: { all: { config: own({ rateLimit: { max: 100, timeWindow: '1 minute' } }) } } }
  const message = /options\.routeOptions\.all\.config\.rateLimit is set, but @fastify\/rate-limit is not registered before fastify-google-oauth.*Register it first/
  await t.rejects(startApp(t, { plugin: limits }), { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message }, 'not registered')
  const google = await startFakeGoogle()
  t.teardown(() => google.close())
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(googleOAuth, { ...google.pluginOptions(), secret: 'x'.repeat(32), ...limits })
  app.register(rateLimit, { global: false })
  await t.rejects(async () => { await app.ready() }, { message }, 'registered after the plugin')
})
