import t from 'tap'
import { withDeadline } from '../../src/google/client.js'

t.test('passes through what finishes in time', async (t) => {
  t.equal(await withDeadline(1000, async () => 'done'), 'done')
  await t.rejects(withDeadline(1000, async () => { throw new Error('own failure') }), { message: 'own failure' })
})

t.test('fails with GOOGLE_TIMEOUT when the work takes longer', async (t) => {
  await t.rejects(withDeadline(20, () => new Promise(() => {})), { code: 'FST_GOOGLE_OAUTH_GOOGLE_TIMEOUT', reason: 'overall-deadline' })
})
