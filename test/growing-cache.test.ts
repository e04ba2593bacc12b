import t from 'tap'
import { growingCache } from '../src/growing-cache.js'
import { testClock } from './fixtures/clock.js'

t.test('holds at most `max` entries: the least recently used go first', async (t) => {
  const cache = growingCache<string, number>(3)
  for (const key of ['a', 'b', 'c']) cache.set(key, 1)
  cache.get('a')
  cache.set('d', 1)
  cache.set('e', 1)
  t.equal(cache.size, 3)
  t.same([...cache.keys()].sort(), ['a', 'd', 'e'], 'b and c, least recently used, went; a, read since, stayed')
})

t.test('entries expire by the given clock', async (t) => {
  const clock = testClock()
  const cache = growingCache<string, true>(10, { ttl: 1_000, ttlResolution: 0, perf: { now: clock.now } })
  cache.set('id', true)
  await clock.tick(1_000)
  t.equal(cache.has('id'), true, 'kept for `ttl` ms')
  await clock.tick(1)
  t.equal(cache.has('id'), false, 'gone after')
})

t.test('holds only what was set: no room allocated up front for `max` entries', async (t) => {
  // Bounded by `max`, lru-cache would allocate over 160 MB for these (16 bytes a slot at the least).
  const before = process.memoryUsage().heapUsed
  const caches = Array.from({ length: 100 }, () => growingCache<string, true>(100_000, { ttl: 60_000 }))
  const grown = process.memoryUsage().heapUsed - before
  t.ok(caches.every((cache) => cache.size === 0), 'the caches are held (and empty) while the heap is read')
  t.ok(grown < 16_000_000, `100 empty caches of 100,000 took ${(grown / 1e6).toFixed(1)} MB of heap`)
})
