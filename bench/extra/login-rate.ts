import Fastify from 'fastify'
import googleOAuth from 'fastify-google-oauth'
import { DEFAULT_CLIENT, signInAs, startFakeGoogle } from 'fastify-google-oauth/testing'

/**
 * Complete sign-ins per second through the plugin's routes (start → the fake Google's consent →
 * callback: code exchange, ID token verification, a new session in the default store), driven by
 * `signInAs` with `app.inject`; the fake Google runs in this process and is called over HTTP.
 * Run with `npx tsx bench/extra/login-rate.ts [--quick]`.
 */
const durationS = process.argv.includes('--quick') ? 2 : 5
const callbackUrl = 'http://localhost/oauth2/google/callback'
const google = await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
const app = Fastify()
await app.register(googleOAuth, { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, callbackUrl, secret: 'a-benchmark-session-secret-of-at-least-32-chars', endpoints: google.endpoints })
app.get('/me', { preHandler: [app.authenticate] }, async (request) => request.googleUser)

for (const concurrency of [1, 1, 4]) {
  const latencies: number[] = []
  const cpu = process.cpuUsage()
  const started = performance.now()
  let last = ''
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() - started < durationS * 1000) {
      const began = performance.now()
      last = (await signInAs(app, google, 'ada@example.com')).cookie
      latencies.push(performance.now() - began)
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  if ((await app.inject({ url: '/me', headers: { cookie: last } })).statusCode !== 200) throw new Error('a session made by the run does not work')
  latencies.sort((a, b) => a - b)
  process.stdout.write(`${concurrency} client(s): ${(latencies.length / elapsed).toFixed(0)} sign-ins/s, p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, ` +
    `${((used.user + used.system) / latencies.length / 1000).toFixed(2)} ms CPU per sign-in (app and fake Google)\n`)
}
await app.close()
await google.close()
