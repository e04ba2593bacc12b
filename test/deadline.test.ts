import t from 'tap'
import { deadline, startDeadline } from '../src/deadline.js'
import { testClock } from './fixtures/clock.js'

const late = () => new Error('late')

t.test('work that settles in time: its result or its own failure, and no timer left', async (t) => {
  const clock = testClock()
  t.equal(await deadline(clock, 1000, late, async () => 'done'), 'done')
  await t.rejects(deadline(clock, 1000, late, async () => { throw new Error('own failure') }), { message: 'own failure' })
  await t.rejects(deadline(clock, 1000, late, () => { throw new Error('thrown at once') }), { message: 'thrown at once' })
  let cleared = 0
  const counted = { setTimeout: clock.setTimeout, clearTimeout: (handle: unknown) => { cleared++; clock.clearTimeout(handle) } }
  await deadline(counted, 1000, late, async () => 'done')
  t.equal(cleared, 1, 'its timer is cleared')
})

t.test('work that has not settled when the clock passes `ms` fails with the deadline\'s error; its signal aborts with it', async (t) => {
  const clock = testClock()
  let signal: AbortSignal | undefined
  let outcome: unknown
  deadline(clock, 1000, late, (given) => { signal = given.signal; return new Promise(() => {}) }).catch((error: unknown) => { outcome = error })
  await clock.tick(999)
  t.equal(outcome, undefined)
  t.equal(signal!.aborted, false)
  await clock.tick(1)
  t.match(outcome, { message: 'late' })
  t.equal(signal!.reason, outcome, 'the signal\'s reason is the same error')
})

t.test('Infinity: no timer at all, and a signal that never aborts', async (t) => {
  let timers = 0
  const counting = { setTimeout: () => { timers++ }, clearTimeout: () => {} }
  t.equal(await deadline(counting, Infinity, late, async ({ signal }) => signal.aborted), false)
  const { signal, clear } = startDeadline(counting, Infinity, late)
  clear()
  t.equal(signal.aborted, false)
  t.equal(timers, 0)
})

t.test('a deadline cleared in time never expires', async (t) => {
  const clock = testClock()
  const expired: Error[] = []
  const { signal, clear } = startDeadline(clock, 1000, late, (error) => expired.push(error))
  clear()
  await clock.tick(5000)
  t.equal(signal.aborted, false)
  t.same(expired, [])
})

t.test('a deadline\'s signal is made when first read: read after the deadline passed, it has aborted already', async (t) => {
  const clock = testClock()
  const expired: Error[] = []
  const bound = startDeadline(clock, 1000, late, (error) => expired.push(error))
  await clock.tick(1000)
  t.equal(expired.length, 1, 'expired once')
  t.equal(bound.signal.aborted, true)
  t.equal(bound.signal.reason, expired[0], 'with the same error')
})
