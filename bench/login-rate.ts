import { Agent } from 'node:http'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { send, signIn } from './http-client.js'
import { cpuMicros, guardChildren, pinSelf, stopChild } from './proc.js'
import { startServer } from './server-process.js'
import { CONFIGS } from './servers/configs.js'
import { COOKIE_NAME } from './servers/ours.js'
import { median } from './stats.js'

/**
 * Full sign-ins per second through the whole flow: GET /oauth2/google → the fake Google's
 * auto-consent → the callback (code exchange, ID token verification, new session in the default
 * store) → its 303, each with a fresh cookie jar. The app and the fake Google share one server
 * process pinned to CPU 0; the clients run here.
 * Run with `tsx bench/login-rate.ts [--quick] [--json out.json]`.
 */

export interface LoginRun {
  concurrency: number
  signIns: number
  perSecond: number
  p50Ms: number
  p99Ms: number
  /** CPU time of the server process (app and fake Google) per sign-in, µs. */
  serverCpuUsPerSignIn: number
  serverCpu: number
}

export interface LoginRateResult { runs: LoginRun[] }

async function run (url: string, pid: number, concurrency: number, durationS: number): Promise<LoginRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 })
  const latencies: number[] = []
  const cpuBefore = cpuMicros(pid)
  const start = performance.now()
  const deadline = start + durationS * 1000
  let lastCookie = ''
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const began = performance.now()
      lastCookie = await signIn(url, COOKIE_NAME, { agent })
      latencies.push(performance.now() - began)
    }
  }))
  const elapsedMs = performance.now() - start
  const cpuUs = cpuMicros(pid) - cpuBefore
  agent.destroy()
  // The last session must work.
  const check = await send(`${url}/me`, { headers: { accept: 'application/json', cookie: lastCookie } })
  if (check.status !== 200) throw new Error(`a session made by the login run answers ${check.status}`)
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    concurrency,
    signIns: latencies.length,
    perSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: median(latencies),
    p99Ms: sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? NaN,
    serverCpuUsPerSignIn: cpuUs / latencies.length,
    serverCpu: cpuUs / (elapsedMs * 1000)
  }
}

export async function measureLoginRate (options: { durationS: number, concurrency: number[], redisPrefix: string }): Promise<LoginRateResult> {
  const config = CONFIGS.find((c) => c.id === 'ours-memory')!
  const server = await startServer(config, { redisPrefix: options.redisPrefix })
  try {
    await run(server.url, server.pid, 2, 1) // warmup
    const runs: LoginRun[] = []
    for (const concurrency of options.concurrency) {
      const result = await run(server.url, server.pid, concurrency, options.durationS)
      runs.push(result)
      process.stderr.write(`login, ${concurrency} client(s): ${result.perSecond.toFixed(0)} sign-ins/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${(result.serverCpuUsPerSignIn / 1000).toFixed(2)} ms server CPU each\n`)
    }
    return { runs }
  } finally {
    await stopChild(server.child)
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  guardChildren()
  pinSelf(1)
  const args = process.argv.slice(2)
  const out = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined
  const result = await measureLoginRate({ durationS: args.includes('--quick') ? 2 : 5, concurrency: [1, 4], redisPrefix: 'fgo-bench:login:' })
  if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2))
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  process.exit(0)
}
