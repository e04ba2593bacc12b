import fastifyCookie from '@fastify/cookie'
import Fastify, { type FastifyInstance, type preHandlerHookHandler } from 'fastify'
import t, { type Test } from 'tap'
import googleOAuth, { type GoogleOAuthOptions } from '../../src/index.js'
import { signInAs, startFakeGoogle, type FakeGoogle } from '../../src/testing/index.js'

/** A fake Google and the plugin's options for it, closed when the test ends. */
async function fake (t: Test): Promise<{ google: FakeGoogle, options: GoogleOAuthOptions }> {
  const google = await startFakeGoogle()
  t.teardown(() => google.close())
  return { google, options: { ...google.pluginOptions(), secret: 'a-session-secret-for-tests-only-0123456789' } }
}

/** An app that closes when the test ends. */
function app (t: Test): FastifyInstance {
  const instance = Fastify()
  t.teardown(() => instance.close())
  return instance
}

/** A route of the app's own that reads and sets cookies. */
function cookieRoutes (instance: FastifyInstance): void {
  instance.get('/theme', async (request) => ({ theme: request.cookies.theme ?? null }))
}

t.test('without @fastify/cookie, the app\'s routes still get request.cookies, parsed as @fastify/cookie does', async (t) => {
  const { google, options } = await fake(t)
  const server = app(t)
  await server.register(googleOAuth, options)
  cookieRoutes(server)
  t.same((await server.inject({ url: '/theme', headers: { cookie: 'x=1 theme=planted; theme=dark%20blue' } })).json(), { theme: 'dark blue' })
  t.same((await server.inject('/theme')).json(), { theme: null }, 'no Cookie header: an empty object')
  t.equal((await signInAs(server, google, 'ada@example.com')).user.email, 'ada@example.com', 'and signing in works')
})

for (const when of ['before', 'after'] as const) {
  t.test(`an app that registers @fastify/cookie ${when} the plugin keeps it, options and all`, async (t) => {
    const { google, options } = await fake(t)
    const server = app(t)
    if (when === 'before') await server.register(fastifyCookie, { secret: 'the-app-s-own-cookie-secret' })
    await server.register(googleOAuth, options)
    if (when === 'after') await server.register(fastifyCookie, { secret: 'the-app-s-own-cookie-secret' })
    cookieRoutes(server)
    server.get('/remember', async (_request, reply) => reply.setCookie('seen', 'yes', { signed: true }).send({ ok: true }))
    server.get('/me', { preHandler: [server.authenticate] }, async (request) => request.googleUser)
    await server.ready()
    t.same((await server.inject({ url: '/theme', headers: { cookie: 'theme=dark' } })).json(), { theme: 'dark' })
    const remembered = await server.inject('/remember')
    t.match(remembered.headers['set-cookie'], /^seen=yes\.[\w+/-]+; /, 'reply.setCookie signs with the app\'s own secret')
    const { headers } = await signInAs(server, google, 'ada@example.com')
    t.equal((await server.inject({ url: '/me', headers })).json().email, 'ada@example.com', 'and the plugin\'s sessions work beside it')
  })
}

t.test('fastify.authenticate taken (as @fastify/jwt\'s recipe does): startup stops, naming the option to use', async (t) => {
  const { options } = await fake(t)
  const jwtStyle: preHandlerHookHandler = (_request, _reply, done) => done()
  const taken = app(t)
  taken.decorate('authenticate', jwtStyle)
  await t.rejects(async () => { await taken.register(googleOAuth, options) }, { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /fastify\.authenticate already exists.*authenticateDecorator: 'googleAuthenticate'/ })

  const { google, options: renamedOptions } = await fake(t)
  const renamed = app(t)
  renamed.decorate('authenticate', jwtStyle)
  await renamed.register(googleOAuth, { ...renamedOptions, authenticateDecorator: 'googleAuthenticate' })
  t.equal(renamed.authenticate, jwtStyle, 'the app\'s own authenticate is untouched')
  const guard = renamed.getDecorator<preHandlerHookHandler>('googleAuthenticate')
  renamed.get('/me', { preHandler: [guard] }, async (request) => request.googleUser)
  renamed.get('/also-me', { preHandler: [renamed.googleOAuth.authenticate] }, async (request) => request.googleUser)
  t.equal((await renamed.inject({ url: '/me', headers: { accept: 'application/json' } })).statusCode, 401, 'the guard under the name given')
  t.equal((await renamed.inject({ url: '/also-me', headers: { accept: 'application/json' } })).statusCode, 401, 'and on fastify.googleOAuth')
  const { headers } = await signInAs(renamed, google, 'grace@example.com')
  t.equal((await renamed.inject({ url: '/me', headers })).statusCode, 200)
  t.equal((await renamed.inject({ url: '/also-me', headers })).statusCode, 200)

  const none = app(t)
  await none.register(googleOAuth, { ...(await fake(t)).options, authenticateDecorator: false })
  t.notOk(none.hasDecorator('authenticate'), 'false: no global name at all')
  t.type(none.googleOAuth.authenticate, 'function')
})

t.test('registering twice, in one context or two, stops with a clear error', async (t) => {
  const { options } = await fake(t)
  const twice = app(t)
  await twice.register(googleOAuth, options)
  await t.rejects(async () => { await twice.register(googleOAuth, options) }, { code: 'FST_GOOGLE_OAUTH_ALREADY_REGISTERED', message: /Register it once, at the root/ })

  const siblings = app(t)
  siblings.register(async (scope) => { await scope.register(googleOAuth, options) })
  siblings.register(async (scope) => { await scope.register(googleOAuth, { ...options, prefix: '/other', callbackUrl: 'http://localhost:3000/other/oauth2/google/callback' }) })
  await t.rejects(async () => { await siblings.ready() }, { code: 'FST_GOOGLE_OAUTH_ALREADY_REGISTERED' })
})

t.test('request names taken by another plugin stop startup, naming them', async (t) => {
  const { options } = await fake(t)
  const server = app(t)
  server.decorateRequest('googleUser', null)
  await t.rejects(async () => { await server.register(googleOAuth, options) }, { code: 'FST_GOOGLE_OAUTH_INVALID_OPTION', message: /request\.googleUser already exists/ })
})

t.test('fail closed: a guard given in an array cannot be undefined, and another app\'s guard is refused at startup', async (t) => {
  const { options } = await fake(t)
  const early = app(t)
  // The route is declared before the plugin is registered: authenticate is still undefined.
  t.throws(() => early.get('/open', { preHandler: [early.authenticate] }, async () => 'secret'), { code: 'FST_ERR_HOOK_INVALID_HANDLER' }, 'Fastify refuses [undefined]')

  const first = app(t)
  await first.register(googleOAuth, options)
  const second = app(t)
  await second.register(googleOAuth, (await fake(t)).options)
  second.get('/wrong', { preHandler: [first.authenticate] }, async () => 'secret')
  await t.rejects(async () => { await second.ready() }, { code: 'FST_GOOGLE_OAUTH_FOREIGN_GUARD', message: /GET \/wrong/ })
})

t.test('another app\'s sameOrigin check is refused at startup too (it would compare with that app\'s origin)', async (t) => {
  const first = app(t)
  await first.register(googleOAuth, (await fake(t)).options)
  const second = app(t)
  await second.register(googleOAuth, { ...(await fake(t)).options, callbackUrl: 'http://127.0.0.1:4000/oauth2/google/callback' })
  second.post('/notes', { preHandler: [first.googleOAuth.sameOrigin] }, async () => 'saved')
  second.post('/upload', { onRequest: [first.googleOAuth.sameOrigin] }, async () => 'uploaded')
  second.post('/own', { preHandler: [second.googleOAuth.sameOrigin] }, async () => 'fine')
  await t.rejects(async () => { await second.ready() }, { code: 'FST_GOOGLE_OAUTH_FOREIGN_GUARD', message: /: POST \/notes, POST \/upload\./ })
})
