import Fastify, { type FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import t from 'tap'
import { allCookies, readCookie } from '../src/cookies.js'

/** Runs `read` on a real request carrying `cookie`, with or without @fastify/cookie's parsing hook. */
async function onRequest<T> (cookie: string | undefined, hook: false | 'onRequest', read: (request: FastifyRequest) => T): Promise<T> {
  const app = Fastify()
  await app.register(fastifyCookie, { hook })
  let result: T | undefined
  app.get('/', async (request) => { result = read(request); return 'ok' })
  await app.inject({ url: '/', headers: cookie === undefined ? {} : { cookie } })
  await app.close()
  return result as T
}

t.test('reads one cookie from the raw header', async (t) => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['goauth.sid=abc.def', 'abc.def'],
    ['a=1; goauth.sid=abc.def; b=2', 'abc.def'],
    ['x-goauth.sid=evil; goauth.sid=good', 'good'],
    ['goauth.sidx=evil', undefined],
    ['goauth.sid=ab%2Bc%2Fd', 'ab+c/d'],
    ['goauth.sid=%E0%A4%A', '%E0%A4%A'],
    ['other=goauth.sid', undefined]
  ]
  for (const [header, expected] of cases) {
    t.equal(await onRequest(header, false, (request) => readCookie(request, 'goauth.sid')), expected, String(header))
    t.equal(await onRequest(header, 'onRequest', (request) => readCookie(request, 'goauth.sid')), expected, `${header} (parsed by @fastify/cookie)`)
  }
})

t.test('parses all cookies once when needed', async (t) => {
  t.same(await onRequest('a=1; b=2', false, (request) => allCookies(request)), { a: '1', b: '2' })
  t.same(await onRequest(undefined, false, (request) => allCookies(request)), {})
})
