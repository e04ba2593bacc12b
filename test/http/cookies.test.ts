import { parseCookie } from 'cookie'
import fc from 'fast-check'
import Fastify, { type FastifyRequest } from 'fastify'
import fastifyCookie from '@fastify/cookie'
import t from 'tap'
import { allCookies, findCookie } from '../../src/http/cookies.js'

const NAME = '__Host-goauth.sid'

t.test('finds a cookie only at a pair boundary, as @fastify/cookie reads the header', async (t) => {
  const cases: Array<[string | undefined, string | undefined, number]> = [
    [undefined, undefined, 0],
    ['', undefined, 0],
    [`${NAME}=abc.def`, 'abc.def', 1],
    [`a=1; ${NAME}=abc.def; b=2`, 'abc.def', 1],
    [`  ${NAME} = abc.def ;b=2`, 'abc.def', 1],
    [`a=1;\t${NAME}=abc.def`, 'abc.def', 1],
    [`x-${NAME}=evil; ${NAME}=good`, 'good', 1],
    [`${NAME}x=evil`, undefined, 0],
    [`${NAME}=ab%2Bc%2Fd`, 'ab+c/d', 1],
    [`${NAME}=%E0%A4%A`, '%E0%A4%A', 1],
    [`other=${NAME}`, undefined, 0],
    [`other=${NAME}=forged`, undefined, 0],
    [`${NAME}; a=1`, undefined, 0],
    // The audit's finding: a sibling subdomain sets `x=1 <our name>=ATTACKER; Domain=…`.
    [`x=1 ${NAME}=ATTACKER`, undefined, 0],
    [`x=1 ${NAME}=ATTACKER; ${NAME}=VICTIM`, 'VICTIM', 1],
    [`${NAME}=VICTIM; x=1 ${NAME}=ATTACKER`, 'VICTIM', 1],
    // Two pairs of our name: the first wins, as in @fastify/cookie, and the count says there were two.
    [`${NAME}=first; ${NAME}=second`, 'first', 2]
  ]
  for (const [header, value, count] of cases) {
    const found = findCookie(header, NAME)
    t.equal(found.value, value, `value in ${String(header)}`)
    t.equal(found.count, count, `count in ${String(header)}`)
    if (header !== undefined) t.equal(found.value, parseCookie(header)[NAME], `same as @fastify/cookie's parser for ${header}`)
  }
})

t.test('matches @fastify/cookie\'s parser on any header (property test; a failure prints its seed)', async (t) => {
  // Headers built from pieces that matter: our name, look-alike names, blanks, `=`, `;`, `%`.
  const piece = fc.constantFrom(NAME, 'x', 'goauth.sid', ' ', '\t', '=', ';', '; ', '%41', '%', 'v', '"', ',', 'é')
  const header = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(''))
  t.doesNotThrow(() => fc.assert(fc.property(header, (text) => {
    const found = findCookie(text, NAME)
    const parsed = parseCookie(text)[NAME]
    const pairs = text.split(';').filter((pair) => pair.includes('=') && pair.slice(0, pair.indexOf('=')).trim() === NAME).length
    return found.value === parsed && found.count === pairs
  }), { numRuns: 5000 }), '5000 random headers read alike')
})

t.test('parses all cookies once when needed, with @fastify/cookie\'s parser', async (t) => {
  const app = Fastify()
  await app.register(fastifyCookie, { hook: false })
  const seen: Array<Record<string, string | undefined>> = []
  app.get('/', async (request: FastifyRequest) => { seen.push({ ...allCookies(request) }); return 'ok' })
  await app.inject({ url: '/', headers: { cookie: 'a=1; b=2; x=1 c=3' } })
  await app.inject({ url: '/' })
  await app.close()
  t.same(seen, [{ a: '1', b: '2', x: '1 c=3' }, {}])
})
