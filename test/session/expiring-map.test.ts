import t from 'tap'
import { ExpiringMap } from '../../src/session/expiring-map.js'

const mapAt = (max: number, ttl = 1_000) => {
  const clock = { now: 0 }
  return { clock, map: new ExpiringMap<string, number>({ max, ttl, now: () => clock.now }) }
}

t.test('an entry is there until its time-to-live since it was last set, then gone', async (t) => {
  const { clock, map } = mapAt(10)
  map.set('ada', 1)
  clock.now = 999
  t.equal(map.get('ada'), 1, 'still there 1 ms before it expires')
  map.set('ada', 2)
  clock.now = 1_998
  t.equal(map.get('ada'), 2, 'set again: lives a whole ttl from then')
  clock.now = 1_999
  t.equal(map.get('ada'), undefined, 'expired')
  t.equal(map.size, 0, 'an expired entry read is dropped')
})

t.test('expired entries are dropped as new ones come, without being read', async (t) => {
  const { clock, map } = mapAt(10)
  map.set('ada', 1)
  map.set('grace', 2)
  clock.now = 1_000
  map.set('charles', 3)
  t.equal(map.size, 1, 'only the live entry is held')
  t.equal(map.get('charles'), 3)
})

t.test('past its bound, the entry set longest ago goes first', async (t) => {
  const { map } = mapAt(2)
  map.set('ada', 1)
  map.set('grace', 2)
  map.set('ada', 3)
  map.set('charles', 4)
  t.equal(map.size, 2)
  t.equal(map.get('grace'), undefined, 'the oldest (ada was set again since)')
  t.equal(map.get('ada'), 3)
  t.equal(map.get('charles'), 4)
})
