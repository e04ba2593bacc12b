import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { measure } from './load.js'
import { firstMessage, guardChildren, hasTaskset, pinSelf, spawnNode, stopChild } from './proc.js'
import { textTable, writeReport } from './report.js'
import { CONFIGS, REDIS, type BenchConfig } from './servers/configs.js'
import { deleteKeys } from './servers/shared.js'
import { shuffle, summarise, type Run } from './stats.js'

const USAGE = `npx tsx bench/run.ts [options]   (after npm run build; npm run bench runs it with none)
  --rounds N        interleaved rounds (default 12; --quick: 2)
  --duration S      measured seconds per run (default 2)
  --connections N   concurrent connections (default 10)
  --configs a,b     only these configurations (ids in bench/servers/configs.ts; bare is always added)
  --quick           a smoke run: too short to quote`

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '10' },
    configs: { type: 'string', default: '' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false }
  }
})
if (args.help) { process.stdout.write(`${USAGE}\n`); process.exit(0) }
const positive = (name: string, value: string): number => {
  const n = Number(value)
  if (!(n > 0)) throw new Error(`--${name} needs a positive number\n${USAGE}`)
  return n
}
// Many short rounds rather than a few long ones: what disturbs these shared machines lasts a few
// seconds and moves every run it overlaps, so a median over more rounds moves less.
const rounds = Math.round(positive('rounds', args.rounds ?? (args.quick ? '2' : '12')))
const durationS = positive('duration', args.duration ?? '2')
const connections = Math.round(positive('connections', args.connections))
const wanted = args.configs.split(',').filter(Boolean)
for (const id of wanted) if (!CONFIGS.some((c) => c.id === id)) throw new Error(`unknown configuration ${id}; known: ${CONFIGS.map((c) => c.id).join(', ')}`)

const log = (line: string) => process.stderr.write(`${line}\n`)
const MAIN = fileURLToPath(new URL('./servers/main.ts', import.meta.url))
const redisPrefix = `fgo-bench:${randomBytes(4).toString('hex')}:`
const notes: string[] = []

type Credential = Record<string, string> | null
interface Server { config: BenchConfig, pid: number, url: string, credential: Credential, stop: () => Promise<void> }

async function redisUp (): Promise<boolean> {
  const client = new Redis({ ...REDIS, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  // Up if it answers; this run's keys are deleted on the way (before and after the runs).
  return await client.connect().then(() => deleteKeys(client, redisPrefix)).then(() => true, () => false).finally(() => client.disconnect())
}

/** Starts a configuration's server pinned to CPU 0 and checks it behaves as configured before it is measured. */
async function start (config: BenchConfig): Promise<Server> {
  if (config.probe === true) {
    const prober = spawnNode(MAIN, [config.server, config.variant, redisPrefix, 'probe'], 0)
    notes.push((await firstMessage<{ note: string }>(prober)).note)
    await stopChild(prober)
  }
  const child = spawnNode(MAIN, [config.server, config.variant, redisPrefix], 0)
  const { port, credential } = await firstMessage<{ port: number, credential: Credential }>(child)
  const server = { config, pid: child.pid!, url: `http://127.0.0.1:${port}`, credential, stop: () => stopChild(child) }
  const get = (headers: Credential) => fetch(`${server.url}/me`, { headers: headers ?? {} })
  const problems: string[] = []
  if (config.signedIn || config.id === 'bare') {
    const reply = await get(config.signedIn ? credential : null)
    const body = await reply.json().catch(() => ({})) as { email?: string }
    if (reply.status !== 200 || body.email !== 'ada@example.com') problems.push(`signed-in GET /me answered ${reply.status}`)
  }
  if (config.server !== 'bare' || config.variant === '401') {
    if ((await get(null)).status !== 401) problems.push('GET /me without a credential is not 401')
    const forged = credential === null ? null : Object.fromEntries(Object.entries(credential).map(([name, value]) => [name, `${value.slice(0, -8)}AAAAAAAA`]))
    if (forged !== null && (await get(forged)).status !== 401) problems.push('a forged credential is not refused')
  }
  if (problems.length > 0) throw new Error(`${config.id} misbehaves: ${problems.join('; ')}`)
  log(`ready  ${config.id.padEnd(20)} pid ${server.pid}${credential === null ? '' : ' (signed in)'}`)
  return server
}

/** A run during which something else took the server's CPU; Redis rows wait on Redis, so their bounds are looser. */
const disturbed = (config: BenchConfig, run: { serverCpu: number, foreignCpu0: number }): boolean =>
  config.redis ? run.serverCpu < 0.8 || run.foreignCpu0 > 0.3 : run.serverCpu < 0.88 || run.foreignCpu0 > 0.15

async function main (): Promise<void> {
  guardChildren(async () => { await redisUp() })
  if (!pinSelf(1)) notes.push(hasTaskset ? 'taskset refused to pin the load generator.' : 'taskset is missing: nothing was pinned.')
  const up = await redisUp()
  let configs = CONFIGS.filter((c) => wanted.length === 0 || c.id === 'bare' || wanted.includes(c.id) || CONFIGS.some((w) => wanted.includes(w.id) && w.baseline === c.id))
  if (!up) {
    notes.push(`Redis did not answer on ${REDIS.host}:${REDIS.port}: the Redis rows were skipped.`)
    configs = configs.filter((c) => !c.redis)
  }
  const started = new Date()
  log(`fastify-google-oauth benchmark: ${configs.length} configurations, ${rounds} rounds × ${durationS} s (+1 s warmup), ${connections} connections`)
  const servers: Server[] = []
  const runs: Run[] = []
  try {
    for (const config of configs) servers.push(await start(config))
    for (let round = 1; round <= rounds; round++) {
      // Bare Fastify twice a round: every ratio of the round is taken to it, so one unlucky run of it would shift them all.
      const bare = servers.filter((server) => server.config.id === 'bare')
      for (const [position, server] of shuffle([...servers, ...bare]).entries()) {
        const load = { url: server.url, credential: server.config.signedIn ? server.credential : null, pid: server.pid, durationS, warmupS: 1, connections, expect: server.config.expect }
        let result = await measure(load)
        let retries = 0
        while (disturbed(server.config, result) && retries < 2) {
          log(`round ${round}/${rounds} ${server.config.id.padEnd(20)} disturbed (server CPU ${(result.serverCpu * 100).toFixed(0)}%, other load on its CPU ${(result.foreignCpu0 * 100).toFixed(0)}%): again`)
          retries++
          await sleep(1_000)
          result = await measure(load)
        }
        if (result.unexpected > 0) throw new Error(`${server.config.id}: ${result.unexpected} of ${result.requests} responses were not ${server.config.expect} (${JSON.stringify(result.statuses)})`)
        runs.push({ config: server.config.id, round, position, retries, disturbed: disturbed(server.config, result), ...result })
        log(`round ${round}/${rounds} ${server.config.id.padEnd(20)} ${Math.round(result.reqPerSec).toLocaleString('en-US').padStart(7)} req/s  ${result.cpuUsPerReq.toFixed(1)} µs CPU/req  (server CPU ${(result.serverCpu * 100).toFixed(0)}%)`)
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await redisUp()
  }

  const command = process.argv.length > 2 ? `npx tsx bench/run.ts ${process.argv.slice(2).join(' ')}` : 'npm run bench'
  const report = { configs, runs, summaries: summarise(configs, runs), rounds, durationS, connections, notes, started, command }
  mkdirSync('bench/results', { recursive: true })
  writeFileSync('bench/results/http.json', JSON.stringify({ started, runs, summaries: report.summaries }, null, 2))
  process.stdout.write(`\n${textTable(report)}\n`)
  const full = !args.quick && wanted.length === 0 && args.rounds === undefined && args.duration === undefined && up
  process.stdout.write(`\nwrote ${writeReport(report, full).join(', ')}\n`)
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
