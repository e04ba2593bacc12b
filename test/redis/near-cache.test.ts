import t from 'tap'
import { NearCache } from '../../src/redis/near-cache.js'
import { testClock } from '../fixtures/clock.js'

/**
 * The near cache never keeps a read that may have missed an invalidation (security checklist row
 * 40): one begun before the subscription (re)started, or before an invalidation it no longer
 * remembers.
 */
const entry = { value: { user: 'ada' }, version: '1' }

t.test('a read begun while the channel was down is not kept once it is back', async (t) => {
  const cache = new NearCache<{ user: string }>({ max: 10, ttl: 5_000, now: testClock().now })
  const mark = cache.mark()
  cache.up()
  cache.store('s1', entry, mark)
  t.equal(cache.get('s1'), undefined, 'not cached')
  cache.store('s1', entry, cache.mark())
  t.same(cache.get('s1'), entry, 'a read begun while up is')
})

t.test('a read begun before its id was invalidated is not kept, even when that invalidation is no longer remembered', async (t) => {
  const cache = new NearCache<{ user: string }>({ max: 10, ttl: 5_000, now: testClock().now })
  cache.up()
  const mark = cache.mark()
  cache.invalidate(['s1'])
  cache.store('s1', entry, mark)
  t.equal(cache.get('s1'), undefined, 'invalidated since the read began')

  const later = cache.mark()
  cache.invalidate(['s2'])
  // More invalidations than it remembers (1 000 at least): the one of s2 is forgotten.
  for (let i = 0; i < 1_000; i++) cache.invalidate([`other-${i}`])
  cache.store('s2', entry, later)
  t.equal(cache.get('s2'), undefined, 'an invalidation it may have forgotten: not cached')
  cache.store('s3', entry, cache.mark())
  t.same(cache.get('s3'), entry, 'a read begun after those is cached')
})
