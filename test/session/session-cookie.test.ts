import { Signer } from '@fastify/cookie'
import t from 'tap'
import { boundValue } from '../../src/device-bound/bound-cookie.js'
import { sessionCookieReader } from '../../src/session/session-cookie.js'

const SECRET = 'a-session-secret-of-at-least-32-characters'
const OLD_SECRET = 'an-older-session-secret-of-at-least-32-chars'
const NAME = 'goauth.sid'
const NOW = 1_800_000_000_000
const now = (): number => NOW

t.test('a request without the session cookie has none to read', async (t) => {
  const read = sessionCookieReader(NAME, new Signer([SECRET], 'sha256'), false, now)
  t.equal(read(undefined), undefined, 'no Cookie header')
  t.equal(read('theme=dark; lang=en'), undefined, 'other cookies only')
  t.equal(read(`theme=x ${NAME}=planted`), undefined, 'the name inside another cookie\'s value is no cookie')
})

t.test('a correctly signed cookie names its session; one signed with an older secret is to be renewed', async (t) => {
  const signer = new Signer([SECRET, OLD_SECRET], 'sha256')
  const read = sessionCookieReader(NAME, signer, false, now)
  t.same(read(`theme=dark; ${NAME}=${signer.sign('session-1')}`), { id: 'session-1', value: 'session-1', until: null, renew: false })
  const older = new Signer([OLD_SECRET], 'sha256').sign('session-2')
  t.same(read(`${NAME}=${older}`), { id: 'session-2', value: 'session-2', until: null, renew: true })
})

t.test('what is ignored, and why (for the log)', async (t) => {
  const signer = new Signer([SECRET], 'sha256')
  const read = sessionCookieReader(NAME, signer, false, now)
  const cookie = signer.sign('session-1')
  t.equal(read(`${NAME}=${cookie}; ${NAME}=${cookie}`), 'duplicate-session-cookie', 'two of the name: which is ours cannot be told')
  t.equal(read(`${NAME}=session-1`), 'bad-signature', 'unsigned')
  t.equal(read(`${NAME}=${cookie.slice(0, -2)}xx`), 'bad-signature', 'a changed signature')
  t.equal(read(`${NAME}=session-2${cookie.slice(cookie.indexOf('.'))}`), 'bad-signature', 'another id under a valid signature')
  t.equal(read(`${NAME}=${new Signer(['another-secret-of-at-least-32-characters!!'], 'sha256').sign('session-1')}`), 'bad-signature', 'another app\'s secret')
})

t.test('a verified cookie is remembered; a forged one never gets in, before or after', async (t) => {
  let checks = 0
  const signer = new Signer([SECRET], 'sha256')
  const counting = Object.assign(Object.create(signer) as Signer, { unsign: (value: string) => { checks++; return signer.unsign(value) } })
  const read = sessionCookieReader(NAME, counting, false, now)
  const cookie = signer.sign('session-1')
  const forged = `session-1.${'A'.repeat(43)}`
  t.equal(read(`${NAME}=${forged}`), 'bad-signature')
  t.same(read(`${NAME}=${cookie}`), { id: 'session-1', value: 'session-1', until: null, renew: false })
  t.same(read(`${NAME}=${cookie}`), { id: 'session-1', value: 'session-1', until: null, renew: false })
  t.equal(checks, 2, 'the valid cookie\'s signature was checked once')
  t.equal(read(`${NAME}=${forged}`), 'bad-signature', 'the forged one is checked again, and refused again')
  t.equal(checks, 3)
})

t.test('with deviceBound, a bound cookie counts until its end, never after; an unbound one as always', async (t) => {
  const signer = new Signer([SECRET], 'sha256')
  let clock = NOW
  const read = sessionCookieReader(NAME, signer, true, () => clock)
  const bound = `${NAME}=${signer.sign(boundValue('session-1', NOW + 600_000))}`
  t.same(read(bound), { id: 'session-1', value: boundValue('session-1', NOW + 600_000), until: NOW + 600_000, renew: false })
  clock = NOW + 600_000
  t.equal(read(bound), 'bound-cookie-expired', 'at its end (from the cache too)')
  t.same(read(`${NAME}=${signer.sign('session-2')}`), { id: 'session-2', value: 'session-2', until: null, renew: false })
  const unboundReader = sessionCookieReader(NAME, signer, false, () => clock)
  t.same(unboundReader(bound), { id: boundValue('session-1', NOW + 600_000), value: boundValue('session-1', NOW + 600_000), until: null, renew: false },
    'without deviceBound a value is only an id (no session has it)')
})
