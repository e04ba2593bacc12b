import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import autocannon from 'autocannon'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import googleOAuth from 'fastify-google-oauth'
import { redisStore } from 'fastify-google-oauth/redis'
import { DEFAULT_CLIENT, signInAs, startFakeGoogle, type FakeGoogle } from 'fastify-google-oauth/testing'
import { REDIS } from '../servers/configs.js'
import { deleteKeys } from '../servers/shared.js'

/**
 * What the plugin's Redis store costs and how fast it is coherent, against the machine's Redis:
 * Redis commands per guarded request (INFO commandstats), how long after a sign-out on instance B
 * instance A refuses the session (1,000 sign-outs), and Redis memory per session and for 100,000.
 * Run by `npm run bench` after the throughput runs, or alone: `npx tsx bench/extra/redis-store.ts [--quick]`.
 */

const quick = process.argv.includes('--quick')
const prefix = `fgo-bench-store:${randomBytes(4).toString('hex')}:`
const callbackUrl = 'http://localhost/oauth2/google/callback'

interface Instance { app: FastifyInstance, client: Redis }

async function instance (google: FakeGoogle): Promise<Instance> {
  const client = new Redis({ ...REDIS, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  await new Promise((resolve, reject) => { client.once('ready', resolve); client.once('error', reject) })
  const app = Fastify()
  await app.register(googleOAuth, {
    ...google.pluginOptions({ callbackUrl }),
    secret: 'a-benchmark-session-secret-of-at-least-32-chars',
    store: redisStore(client, { prefix })
  })
  app.get('/me', { preHandler: [app.authenticate] }, async (request) => request.googleUser)
  await app.ready()
  // Until the store's subscription is up, its near cache is not used.
  for (let i = 0; i < 200 && Number(((await client.pubsub('NUMSUB', `${prefix}invalidate`)) as unknown[])[1]) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  return { app, client }
}

const totalCalls = async (client: Redis): Promise<number> =>
  [...(await client.info('commandstats')).matchAll(/calls=(\d+)/g)].reduce((sum, [, calls]) => sum + Number(calls), 0)

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

async function main (): Promise<void> {
  const google = await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
  const admin = new Redis(REDIS)
  const [a, b] = [await instance(google), await instance(google)]
  const lines: string[] = []
  try {
    // 1. Redis commands per guarded request, steady state (one signed-in user hammering /me).
    const { cookie } = await signInAs(a.app, google, 'ada@example.com')
    const address = await a.app.listen({ port: 0, host: '127.0.0.1' })
    await autocannon({ url: `${address}/me`, headers: { cookie }, connections: 10, duration: 1 })
    const before = await totalCalls(admin)
    const run = await autocannon({ url: `${address}/me`, headers: { cookie }, connections: 10, duration: quick ? 2 : 5 })
    // (The INFO that reads the count is one of the calls.)
    const commands = await totalCalls(admin) - before - 1
    if (run.non2xx > 0) throw new Error(`${run.non2xx} guarded requests were not 200`)
    lines.push(`| Redis commands per guarded request (INFO commandstats, ${run.requests.total.toLocaleString('en-US')} requests) | ${(commands / run.requests.total).toFixed(4)} | ≤ 0.05 |`)

    // 2. A sign-out on B: how long it takes (A confirms it dropped its copy before B answers), and
    // whether A still serves the session it had cached once B answered.
    const rounds = quick ? 100 : 1_000
    const delays: number[] = []
    const signOuts: number[] = []
    let stale = 0
    for (let round = 0; round < rounds; round++) {
      const session = await signInAs(a.app, google, 'grace@example.com')
      if ((await a.app.inject({ url: '/me', headers: session.headers })).statusCode !== 200) throw new Error('not signed in on A')
      const asked = performance.now()
      const out = await b.app.inject({ method: 'POST', url: '/logout', headers: { ...session.headers, 'sec-fetch-site': 'same-origin', accept: 'application/json' } })
      if (out.statusCode !== 204) throw new Error(`sign-out on B answered ${out.statusCode}`)
      const signedOut = performance.now()
      signOuts.push(signedOut - asked)
      let stillServed = false
      while ((await a.app.inject({ url: '/me', headers: session.headers })).statusCode === 200) {
        stillServed = true
        if (performance.now() - signedOut > 10_000) throw new Error('A still serves the session 10 s after the sign-out')
        // Let I/O in between (app.inject alone would never let the invalidation message be read, as real requests do).
        await new Promise((resolve) => setImmediate(resolve))
      }
      delays.push(performance.now() - signedOut)
      if (stillServed) stale++
    }
    for (const list of [delays, signOuts]) list.sort((x, y) => x - y)
    const ms = (n: number): string => `${n.toFixed(2)} ms`
    const spread = (sorted: number[]): string => `${[0.5, 0.9, 0.99].map((p) => ms(percentile(sorted, p))).join(' / ')} / ${ms(sorted.at(-1)!)}`
    lines.push(`| a sign-out's own latency, on B, with A confirming (${rounds.toLocaleString('en-US')} sign-outs): p50 / p90 / p99 / max | ${spread(signOuts)} | |`)
    lines.push(`| requests to A after B's answer that A still served | ${stale} of ${rounds.toLocaleString('en-US')} | 0 |`)
    lines.push(`| sign-out on B refused on A (${rounds.toLocaleString('en-US')} sign-outs): p50 / p90 / p99 / max | ${spread(delays)} | p99 ≤ 100 ms |`)

    // 3. Memory: one session's keys, then 100,000 sessions (one user each) written by the store.
    const one = await signInAs(a.app, google, 'charles@analytical.example')
    const id = one.cookie.split('; ').find((pair) => pair.startsWith('goauth.sid='))!.slice('goauth.sid='.length).split('.')[0]!
    const sessionKey = `${prefix}{${id.slice(0, 8)}}:s:${id}`
    const indexKey = (await admin.keys(`${prefix}{${id.slice(0, 8)}}:u:*`))[0]!
    const [sessionBytes, indexBytes] = [Number(await admin.memory('USAGE', sessionKey)), Number(await admin.memory('USAGE', indexKey))]
    lines.push(`| Redis memory of one session (MEMORY USAGE: the session hash + its user's index) | ${sessionBytes.toLocaleString('en-US')} + ${indexBytes.toLocaleString('en-US')} bytes | |`)
    const count = quick ? 10_000 : 100_000
    const record = await admin.hget(sessionKey, 'r')
    const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1])
    const start = await used()
    for (let offset = 0; offset < count; offset += 1_000) {
      const batch = admin.pipeline()
      for (let i = offset; i < offset + 1_000; i++) {
        const tag = randomBytes(6).toString('base64url')
        const other = tag + randomBytes(32).toString('base64url')
        batch.hset(`${prefix}{${tag}}:s:${other}`, 'r', record!, 'v', '1').pexpire(`${prefix}{${tag}}:s:${other}`, 3_600_000)
        batch.zadd(`${prefix}{${tag}}:u:${i}`, Date.now() + 3_600_000, other).pexpire(`${prefix}{${tag}}:u:${i}`, 3_600_000)
      }
      await batch.exec()
    }
    const total = await used() - start
    lines.push(`| Redis memory for ${count.toLocaleString('en-US')} sessions of as many users (used_memory growth) | ${(total / 2 ** 20).toFixed(1)} MB (${Math.round(total / count).toLocaleString('en-US')} bytes each) | |`)
  } finally {
    await a.app.close()
    await b.app.close()
    a.client.disconnect()
    b.client.disconnect()
    await deleteKeys(admin, prefix)
    admin.disconnect()
    await google.close()
  }
  const table = ['| the plugin\'s Redis store | measured | goal |', '|---|---:|---|', ...lines]
  process.stdout.write(`\n${table.join('\n')}\n`)
  mkdirSync('bench/results', { recursive: true })
  const file = quick ? 'bench/results/REDIS-STORE.md' : 'bench/REDIS-STORE.md'
  writeFileSync(file, [
    '# The plugin\'s Redis store', '',
    `Produced by \`npx tsx bench/extra/redis-store.ts${quick ? ' --quick' : ''}\` (part of \`npm run bench\`) on ${new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, Node ${process.version}, Redis at ${REDIS.host}:${REDIS.port}.`, '',
    ...table, '',
    'Two app instances in one process, each with its own Redis connections (commands and pub/sub). Throughput against bare Fastify is in RESULTS.md (`ours, signed in, its own Redis store`). Zero revived sessions in 300 racing rounds and one Google call for 3 × 20 concurrent refreshes are checked by `test/redis/instances.test.ts` (three processes).', ''
  ].join('\n'))
  process.stdout.write(`\nwrote ${file}\n`)
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exit(1)
})
