import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gaxios } from 'google-auth-library'
import t, { type Test } from 'tap'
import { googleFailure, withDeadline } from '../../src/google/client.js'
import { googleAuthFetch } from '../../src/google/fetch.js'
import { testClock } from '../fixtures/clock.js'
import { until } from '../fixtures/wait.js'

t.test('the overall deadline passes through what finishes in time', async (t) => {
  const clock = testClock()
  t.equal(await withDeadline(1000, async () => 'done', clock), 'done')
  await t.rejects(withDeadline(1000, async () => { throw new Error('own failure') }, clock), { message: 'own failure' })
})

t.test('the overall deadline fails with GOOGLE_TIMEOUT once the clock passes it, aborting the signal its work was given', async (t) => {
  const clock = testClock()
  let given: AbortSignal | undefined
  let failure: unknown
  const late = withDeadline(1000, ({ signal }) => { given = signal; return new Promise(() => {}) }, clock).catch((error: unknown) => { failure = error })
  await clock.tick(999)
  t.equal(failure, undefined, 'not before its time')
  t.equal(given?.aborted, false)
  await clock.tick(1)
  await late
  t.match(failure, { code: 'FST_GOOGLE_OAUTH_GOOGLE_TIMEOUT', reason: 'overall-deadline' })
  t.equal(given?.aborted, true)
})

/** A server that answers nothing (`silent`), or its headers and then nothing of its body (`stalled`), until the test ends. */
async function unansweringServer (t: Test, kind: 'silent' | 'stalled'): Promise<{ url: string, requests: () => number }> {
  let requests = 0
  const held: ServerResponse[] = []
  const server = createServer((_request, response) => {
    requests++
    held.push(response)
    if (kind === 'stalled') response.writeHead(200, { 'content-type': 'application/json' }).write('{"access_token":')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, requests: () => requests }
}

t.test('each call to Google is bounded on the plugin\'s clock, from the request until its body was read', async (t) => {
  for (const kind of ['silent', 'stalled'] as const) {
    const clock = testClock()
    const google = await unansweringServer(t, kind)
    const transporter = new gaxios.Gaxios({ fetchImplementation: googleAuthFetch([google.url], { clock, ms: 4_000 }), retry: false })
    let failure: unknown
    const call = transporter.request({ url: google.url, method: 'POST', data: 'code=x' }).then(() => { failure = null }, (error: unknown) => { failure = error })
    await until(() => google.requests() === 1, 'the call to reach the server')
    await clock.tick(3_999)
    t.equal(failure, undefined, `${kind}: still waiting before the deadline`)
    await clock.tick(1)
    await call
    t.match(googleFailure(failure, 'token'), { code: 'FST_GOOGLE_OAUTH_GOOGLE_TIMEOUT', reason: 'token:timeout' }, `${kind}: cut off at the deadline`)
    t.match(failure, { code: 'TimeoutError', message: /due to timeout/ }, `${kind}: reported by gaxios as its own timeout would be`)
  }
})

t.test('a call given a timeout of its own is left to gaxios', async (t) => {
  const clock = testClock()
  const google = await unansweringServer(t, 'silent')
  const transporter = new gaxios.Gaxios({ fetchImplementation: googleAuthFetch([], { clock, ms: 60_000 }), retry: false })
  const call = transporter.request({ url: google.url, timeout: 50 })
  await t.rejects(call, { code: 'TimeoutError' }, 'its own timeout, without the plugin\'s clock moving')
})
