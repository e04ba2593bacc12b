import type { Session } from 'fastify'
import t from 'tap'
import { BoundedMemoryStore } from '../../src/index.js'

const get = (store: BoundedMemoryStore, id: string) =>
  new Promise<unknown>((resolve) => store.get(id, (_error, session) => resolve(session)))
const set = (store: BoundedMemoryStore, id: string, value: object) =>
  new Promise<void>((resolve) => store.set(id, value as Session, () => resolve()))

t.test('gives back what a networked store would: a JSON copy, frozen', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 10, ttl: 60_000 })
  const original = { when: new Date(0), nested: { n: 1 } }
  await set(store, 'a', original)
  original.nested.n = 2
  const stored = await get(store, 'a') as { when: unknown, nested: { n: number } }
  t.same(stored, { when: '1970-01-01T00:00:00.000Z', nested: { n: 1 } }, 'a Date comes back a string; later changes do not leak in')
  t.ok(Object.isFrozen(stored) && Object.isFrozen(stored.nested))
  t.equal(await get(store, 'missing'), null)
})

t.test('bounded: the least recently used sessions go first', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 3, ttl: 60_000 })
  for (const id of ['a', 'b', 'c']) await set(store, id, { id })
  await get(store, 'a')
  await set(store, 'd', { id: 'd' })
  t.equal(store.size, 3)
  t.equal(await get(store, 'b'), null, 'the least recently used one was evicted')
  t.same(await get(store, 'a'), { id: 'a' })
})

t.test('expired sessions are removed from memory, even if nobody reads them again', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 1000, ttl: 100 })
  for (let i = 0; i < 100; i++) await set(store, `s${i}`, { i })
  t.equal(store.size, 100)
  await new Promise((resolve) => setTimeout(resolve, 350))
  t.equal(store.size, 0, 'purged without any read')
})

t.test('destroy removes at once', async (t) => {
  const store = new BoundedMemoryStore({ maxSessions: 10, ttl: 60_000 })
  await set(store, 'a', { a: 1 })
  await new Promise<void>((resolve) => store.destroy('a', () => resolve()))
  t.equal(await get(store, 'a'), null)
})
