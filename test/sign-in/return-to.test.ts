import t from 'tap'
import { safeReturnTo } from '../../src/sign-in/return-to.js'

t.test('keeps same-origin paths with their query and fragment', async (t) => {
  t.equal(safeReturnTo('/'), '/')
  t.equal(safeReturnTo('/reports?page=2&sort=asc'), '/reports?page=2&sort=asc')
  t.equal(safeReturnTo('/a/b#section'), '/a/b#section')
  t.equal(safeReturnTo('/caf%C3%A9'), '/caf%C3%A9')
})

t.test('normalises dot segments without leaving the site', async (t) => {
  t.equal(safeReturnTo('/a/../b'), '/b')
  t.equal(safeReturnTo('/../../etc'), '/etc')
  t.equal(safeReturnTo('/a/./b'), '/a/b')
})

t.test('refuses every open-redirect form and falls back to /', async (t) => {
  const attacks = [
    '//evil.example',
    '/\\evil.example',
    '/%2F%2Fevil.example',
    '/%2f%2fevil.example',
    '/%5Cevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '/%09/evil.example',
    '/\u0000x',
    '/\u007f',
    'https:evil.example',
    'https://evil.example',
    'https://app@evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,hi',
    'evil.example',
    '',
    ' /path',
    '/' + 'a'.repeat(8 * 1024),
    '/.//evil.example',
    '/a/..//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/./\\evil.example',
    '/' + 'é'.repeat(200)
  ]
  for (const attack of attacks) {
    t.equal(safeReturnTo(attack), '/', JSON.stringify(attack.slice(0, 40)))
  }
})

t.test('refuses non-strings and uses the given fallback', async (t) => {
  t.equal(safeReturnTo(['/a', '/b']), '/')
  t.equal(safeReturnTo(undefined), '/')
  t.equal(safeReturnTo(42), '/')
  t.equal(safeReturnTo('//evil', '/home'), '/home')
})
