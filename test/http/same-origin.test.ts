import type { FastifyInstance, InjectOptions, RouteOptions } from 'fastify'
import t, { type Test } from 'tap'
import { startApp } from '../fixtures/app.js'

const EVIL = 'https://evil.example'
const JSON_ACCEPT = { accept: 'application/json' }

/** An app with routes of its own guarded by `sameOrigin`, counting the requests that got through. */
async function appWithForms (t: Test) {
  const reached: string[] = []
  const added: RouteOptions[] = []
  const test = await startApp(t, {
    before: (app) => { app.addHook('onRoute', (route) => { added.push(route) }) },
    routes: (app: FastifyInstance) => {
      const { sameOrigin, authenticate } = app.googleOAuth
      // The app's own forms (what @fastify/formbody does).
      app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))))
      // GET's HEAD route comes with it, hooks and all.
      for (const method of ['GET', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        app.route({ method, url: '/notes', preHandler: [sameOrigin], handler: async (request) => { reached.push(request.method); return { saved: true } } })
      }
      app.post('/account/delete', { preHandler: [sameOrigin, authenticate] }, async () => { reached.push('delete-account'); return { deleted: true } })
      app.post('/upload', { onRequest: [sameOrigin] }, async () => { reached.push('upload'); return { uploaded: true } })
    }
  })
  const post = (headers: Record<string, string>, extra: Partial<InjectOptions> = {}) =>
    test.app.inject({ method: 'POST', url: '/notes', payload: { text: 'hello' }, ...extra, headers: { ...JSON_ACCEPT, ...headers, ...extra.headers as Record<string, string> } })
  return { ...test, reached, added, post }
}

t.test('a cross-site POST is refused with 403 CROSS_SITE_REQUEST, and the route never runs', async (t) => {
  const { post, reached } = await appWithForms(t)
  const response = await post({ 'sec-fetch-site': 'cross-site', origin: EVIL })
  t.equal(response.statusCode, 403)
  t.match(response.json(), { statusCode: 403, code: 'FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST', message: /came from another site and was refused/ })
  t.equal(response.headers['cache-control'], 'no-store')
  t.same(reached, [])
})

t.test('a same-site sibling (another subdomain or port of the same site) is refused too', async (t) => {
  const { post, reached, url } = await appWithForms(t)
  for (const origin of ['https://blog.example.test', url.replace(/:\d+$/, ':1')]) {
    const response = await post({ 'sec-fetch-site': 'same-site', origin })
    t.equal(response.json().code, 'FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST', origin)
  }
  t.same(reached, [])
})

t.test('a same-origin POST passes, as does one the person typed or bookmarked (Sec-Fetch-Site: none)', async (t) => {
  const { post, reached, url } = await appWithForms(t)
  t.same((await post({ 'sec-fetch-site': 'same-origin', origin: url })).json(), { saved: true })
  t.same((await post({ 'sec-fetch-site': 'none' })).json(), { saved: true })
  t.same(reached, ['POST', 'POST'])
})

t.test('without Sec-Fetch-Site (older browsers), Origin decides: another origin or "null" is refused, the app\'s passes', async (t) => {
  const { post, reached, url } = await appWithForms(t)
  for (const origin of [EVIL, 'null', url.replace('http:', 'https:'), `${url}.evil.example`]) {
    t.equal((await post({ origin })).statusCode, 403, origin)
  }
  t.equal((await post({ origin: url })).statusCode, 200, 'the app\'s own origin')
  t.same(reached, ['POST'])
})

t.test('a request with neither header is not a browser\'s cross-site request: it passes (curl, server to server)', async (t) => {
  const { post, reached } = await appWithForms(t)
  t.equal((await post({})).statusCode, 200)
  t.same(reached, ['POST'])
})

t.test('methods: GET, HEAD and OPTIONS always pass (a link from another site is a GET); POST, PUT, PATCH and DELETE are checked', async (t) => {
  const { app, reached } = await appWithForms(t)
  const crossSite = { ...JSON_ACCEPT, 'sec-fetch-site': 'cross-site', origin: EVIL }
  for (const method of ['GET', 'HEAD', 'OPTIONS'] as const) {
    t.equal((await app.inject({ method, url: '/notes', headers: crossSite })).statusCode, 200, method)
  }
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const response = await app.inject({ method, url: '/notes', headers: crossSite, payload: { text: 'x' } })
    t.equal(response.statusCode, 403, method)
    t.equal(response.json().code, 'FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST', method)
  }
  t.same(reached, ['GET', 'HEAD', 'OPTIONS'])
})

t.test('a refused form post from a browser gets a page; an API client gets JSON', async (t) => {
  const { post } = await appWithForms(t)
  const page = await post({ 'sec-fetch-site': 'cross-site', origin: EVIL, accept: 'text/html,*/*;q=0.8', 'content-type': 'application/x-www-form-urlencoded' }, { payload: 'text=hello' })
  t.equal(page.statusCode, 403)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST/)
  t.notMatch(page.body, /at .*\.js:\d+/, 'no stack trace')
  const api = await post({ 'sec-fetch-site': 'cross-site', origin: EVIL })
  t.match(api.headers['content-type'], /^application\/json/)
})

t.test('beside authenticate: a signed-in user\'s cross-site post is refused, the same-origin one passes', async (t) => {
  const { app, reached, url, signInAs } = await appWithForms(t)
  const { headers } = await signInAs()
  const crossSite = await app.inject({ method: 'POST', url: '/account/delete', headers: { ...headers, ...JSON_ACCEPT, 'sec-fetch-site': 'same-site', origin: url.replace(/:\d+$/, ':1') } })
  t.equal(crossSite.json().code, 'FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST', 'the session cookie came along, and it does not matter')
  const sameOrigin = await app.inject({ method: 'POST', url: '/account/delete', headers: { ...headers, ...JSON_ACCEPT, 'sec-fetch-site': 'same-origin', origin: url } })
  t.same(sameOrigin.json(), { deleted: true })
  t.same(reached, ['delete-account'])
})

t.test('as an onRequest hook it refuses before the body is read', async (t) => {
  const { app, reached } = await appWithForms(t)
  const response = await app.inject({ method: 'POST', url: '/upload', headers: { ...JSON_ACCEPT, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: EVIL }, payload: '{ not json' })
  t.equal(response.json().code, 'FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST', 'not the malformed body\'s 400')
  t.same(reached, [])
})

t.test('the app\'s origin is callbackUrl\'s, whatever the Host header says', async (t) => {
  const { app, reached } = await appWithForms(t)
  const response = await app.inject({ method: 'POST', url: '/notes', headers: { ...JSON_ACCEPT, host: 'evil.example', origin: 'http://evil.example' }, payload: { text: 'x' } })
  t.equal(response.statusCode, 403)
  t.same(reached, [])
})

t.test('POST /logout is guarded by this same check, fastify.googleOAuth.sameOrigin', async (t) => {
  const { app, added } = await appWithForms(t)
  const logout = added.find((route) => route.method === 'POST' && route.url === app.googleOAuth.routes.logout)
  t.ok(([] as unknown[]).concat(logout?.onRequest).includes(app.googleOAuth.sameOrigin))
})
