import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { measure } from './load.js'
import { parseOptions, PARTS, type BenchOptions } from './options.js'
import { guardChildren, hasTaskset, onInterrupt, pinSelf, spawnNode, stopChild } from './proc.js'
import { machineInfo, printTable, writeReport, type Extras, type HttpPart } from './report.js'
import { startServer, verifyServer, type RunningServer } from './server-process.js'
import { CONFIGS, REDIS, type BenchConfig } from './servers/configs.js'
import { deleteKeys } from './servers/redis.js'
import { shuffle, summarise, type Run } from './stats.js'
import { measureLoginRate, type LoginRateResult } from './login-rate.js'
import { summariseProfiles } from './profile.js'

const MAX_RETRIES = 2

/**
 * Whether another process took the server's CPU during a run: the server could not use its core,
 * or something else did. Redis runs leave the server waiting for Redis (which runs unpinned and
 * may land on CPU 0), so their thresholds are looser.
 */
function disturbed (config: BenchConfig, result: { serverCpu: number, foreignCpu0: number }): boolean {
  return config.redis
    ? result.serverCpu < 0.8 || result.foreignCpu0 > 0.3
    : result.serverCpu < 0.88 || result.foreignCpu0 > 0.15
}

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url))
const log = (line: string) => process.stderr.write(`${line}\n`)

async function redisReachable (): Promise<boolean> {
  const client = new Redis({ ...REDIS, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    return (await client.ping()) === 'PONG'
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

async function cleanRedis (prefix: string): Promise<void> {
  if (!await redisReachable()) return
  const client = new Redis({ ...REDIS, enableOfflineQueue: true, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  try {
    const deleted = await deleteKeys(client, prefix)
    if (deleted > 0) log(`redis: deleted ${deleted} leftover key(s) under ${prefix}`)
  } finally {
    client.disconnect()
  }
}

function selectConfigs (options: BenchOptions, notes: string[], redisUp: boolean): BenchConfig[] {
  let wanted = options.cpuProf !== null ? ['bare', options.cpuProf] : options.configs
  if (wanted.length > 0) {
    for (const id of wanted) if (!CONFIGS.some((c) => c.id === id)) throw new Error(`unknown configuration ${id}; known: ${CONFIGS.map((c) => c.id).join(', ')}`)
    wanted = ['bare', ...wanted]
    for (const id of [...wanted]) {
      const baseline = CONFIGS.find((c) => c.id === id)?.baseline
      if (baseline !== undefined) wanted.push(baseline)
    }
  }
  let selected = CONFIGS.filter((c) => wanted.length === 0 || wanted.includes(c.id))
  if (!redisUp) {
    const skipped = selected.filter((c) => c.redis)
    if (skipped.length > 0) notes.push(`Redis did not answer on ${REDIS.host}:${REDIS.port}: skipped ${skipped.map((c) => c.id).join(', ')}.`)
    selected = selected.filter((c) => !c.redis)
  }
  return selected
}

async function runHttp (options: BenchOptions, redisPrefix: string, notes: string[]): Promise<HttpPart> {
  const redisUp = await redisReachable()
  const configs = selectConfigs(options, notes, redisUp)
  const profileDir = `${RESULTS}profiles/${Date.now()}`
  const servers: RunningServer[] = []
  try {
    for (const config of configs) {
      const nodeArgs = config.id === options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
      const server = await startServer(config, { redisPrefix, nodeArgs })
      servers.push(server)
      await verifyServer(server)
      log(`ready  ${config.id.padEnd(20)} pid ${server.pid} ${server.url}${server.cookie === null ? '' : ' (signed in)'}`)
    }

    const runs: Run[] = []
    for (let round = 1; round <= options.rounds; round++) {
      const order = shuffle([...servers])
      for (const [position, server] of order.entries()) {
        const load = {
          url: server.url,
          cookie: server.config.signedIn ? server.cookie : null,
          pid: server.pid,
          durationS: options.durationS,
          warmupS: options.warmupS,
          connections: options.connections,
          expect: server.config.expect
        }
        // A run during which something else took the server's CPU is measured again (twice at most).
        let result = await measure(load)
        let retries = 0
        while (disturbed(server.config, result) && retries < MAX_RETRIES) {
          log(`round ${round}/${options.rounds} ${server.config.id.padEnd(20)} disturbed (server CPU ${(result.serverCpu * 100).toFixed(0)}%, other load on its CPU ${(result.foreignCpu0 * 100).toFixed(0)}%): again`)
          retries++
          await sleep(1_000)
          result = await measure(load)
        }
        if (result.unexpected > 0) {
          throw new Error(`${server.config.id}: ${result.unexpected} of ${result.requests} responses were not ${server.config.expect} (${JSON.stringify(result.statuses)})`)
        }
        runs.push({ config: server.config.id, round, position, retries, disturbed: disturbed(server.config, result), ...result })
        log(`round ${round}/${options.rounds} ${server.config.id.padEnd(20)} ${Math.round(result.reqPerSec).toLocaleString('en-US').padStart(7)} req/s  p99 ${result.p99Ms.toFixed(2)} ms  ` +
          `${result.cpuUsPerReq.toFixed(1)} µs CPU/req  (server CPU ${(result.serverCpu * 100).toFixed(0)}%, load generator ${(result.loadGenCpu * 100).toFixed(0)}%, other load on CPU 0 ${(result.foreignCpu0 * 100).toFixed(0)}%)`)
      }
    }
    const cookieBytes = Object.fromEntries(servers.filter((server) => server.config.signedIn && server.cookie !== null).map((server) => [server.config.id, server.cookie!.length]))
    return { configs, runs, summaries: summarise(configs, runs), options, cookieBytes }
  } finally {
    await Promise.all(servers.map((server) => stopChild(server.child)))
    if (options.cpuProf !== null) {
      try {
        const summary = summariseProfiles(profileDir)
        writeFileSync(`${RESULTS}profile-${options.cpuProf}.txt`, summary)
        process.stdout.write(`\nCPU profile of ${options.cpuProf} (${profileDir}):\n${summary}\n`)
      } catch (error) {
        log(`could not summarise the profile: ${String(error)}`)
      }
    }
  }
}

/** Runs a bench script in its own process pinned to CPU 0 and reads the JSON it writes. */
async function runScript<T> (script: string, args: string[], nodeArgs: string[] = []): Promise<T> {
  const out = `${RESULTS}${script.replace('.ts', '')}.json`
  const child = spawnNode(fileURLToPath(new URL(`./${script}`, import.meta.url)), [...args, '--json', out], { cpu: 0, nodeArgs, stdio: ['ignore', 'inherit', 'inherit'] })
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)))
  if (code !== 0) throw new Error(`${script} exited with ${code}`)
  return JSON.parse(readFileSync(out, 'utf8')) as T
}

async function main (): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  guardChildren()
  const notes: string[] = []
  const pinned = pinSelf(1)
  if (!pinned) notes.push(hasTaskset ? 'taskset refused to pin the load generator.' : 'taskset is missing: nothing was pinned, servers and load generator share all CPUs.')
  mkdirSync(RESULTS, { recursive: true })
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
  const redisPrefix = `fgo-bench:${runId}:`
  onInterrupt(() => cleanRedis(redisPrefix))
  const started = new Date()
  log(`fastify-google-oauth benchmark: ${[...options.parts].join(', ')}; ${options.rounds} rounds × ${options.durationS} s (+${options.warmupS} s warmup), ${options.connections} connections`)

  const extras: Extras = {}
  let http: HttpPart | null = null
  try {
    if (options.parts.has('http')) http = await runHttp(options, redisPrefix, notes)
    if (http !== null) process.stdout.write(`\n${printTable(http)}\n`)
    if (options.parts.has('memory')) {
      log('\nmemory per session in the default store…')
      extras.memory = await runScript('memory.ts', options.quick ? ['--quick'] : [], ['--expose-gc'])
    }
    if (options.parts.has('id-token')) {
      log('\nID token verification…')
      extras.idToken = await runScript('id-token.ts', options.quick ? ['--quick'] : [])
    }
    if (options.parts.has('login')) {
      log('\nlogin rate…')
      extras.login = await measureLoginRate({ durationS: options.quick ? 2 : 5, concurrency: [1, 4], redisPrefix }) satisfies LoginRateResult
    }
  } finally {
    await cleanRedis(redisPrefix)
  }

  const complete = !options.quick && options.configs.length === 0 && options.cpuProf === null && options.parts.size === PARTS.length
  const written = writeReport({ http, extras, notes, started, machine: machineInfo(), options, pinned, complete })
  process.stdout.write(`\n${written.text}\nwrote ${written.files.join(', ')}\n`)
}

main().then(() => process.exit(0), (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
