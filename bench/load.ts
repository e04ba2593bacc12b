import autocannon from 'autocannon'
import { cpuBusy, cpuMicros, JIFFY_US, rssBytes } from './proc.js'

export interface LoadOptions {
  url: string
  /** The signed-in credential header, if any. */
  credential: Record<string, string> | null
  /** pid of the server process, for its CPU time and RSS. */
  pid: number
  durationS: number
  warmupS: number
  connections: number
  /** Status every response must have. */
  expect: number
}

export interface LoadResult {
  requests: number
  reqPerSec: number
  p50Ms: number
  p99Ms: number
  /** Server CPU time (user + system, all threads) per completed request, µs. */
  cpuUsPerReq: number
  /** Server CPU utilisation over the window (1 = one core busy). */
  serverCpu: number
  /** This process's (the load generator's) CPU utilisation over the window. */
  loadGenCpu: number
  /** Share of CPU 0 (the server's) busy with anything but the server process: high means disturbed. */
  foreignCpu0: number
  /** Share of CPU 1 (the load generator's) busy with anything but this process. */
  foreignCpu1: number
  rssBefore: number
  rssAfter: number
  /** Responses with another status than expected, errors and timeouts. */
  unexpected: number
  statuses: Record<string, number>
}

const percentile = (sorted: Float64Array, p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!

function cannon (options: LoadOptions, durationS: number, onLatency?: (ms: number) => void): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({
      url: `${options.url}/me`,
      connections: options.connections,
      duration: durationS,
      headers: options.credential ?? {},
      excludeErrorStats: false
    }, (error, result) => error ? reject(error) : resolve(result))
    if (onLatency !== undefined) instance.on('response', (_client, _status, _bytes, responseTime) => onLatency(responseTime))
  })
}

/** Warms up, then loads the server for `durationS`, measuring its CPU time over that window. */
export async function measure (options: LoadOptions): Promise<LoadResult> {
  await cannon(options, options.warmupS)

  // Latencies in ms with sub-ms precision (autocannon's own histogram keeps whole ms).
  const latencies: number[] = []
  const onLatency = (ms: number) => { latencies.push(ms) }

  const rssBefore = rssBytes(options.pid)
  const cpuBefore = cpuMicros(options.pid)
  const ownBefore = process.cpuUsage()
  const cpu0Before = cpuBusy(0)
  const cpu1Before = cpuBusy(1)
  const start = process.hrtime.bigint()
  const result = await cannon(options, options.durationS, onLatency)
  const elapsedUs = Number(process.hrtime.bigint() - start) / 1e3
  const cpuUs = cpuMicros(options.pid) - cpuBefore
  const own = process.cpuUsage(ownBefore)
  const cpu0After = cpuBusy(0)
  const cpu1After = cpuBusy(1)
  const rssAfter = rssBytes(options.pid)

  const sorted = Float64Array.from(latencies).sort()
  const statuses: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count?: number }).count ?? 0
  const requests = result.requests.total
  const expected = statuses[String(options.expect)] ?? 0
  return {
    requests,
    reqPerSec: requests / (elapsedUs / 1e6),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    cpuUsPerReq: requests === 0 ? NaN : cpuUs / requests,
    serverCpu: cpuUs / elapsedUs,
    loadGenCpu: (own.user + own.system) / elapsedUs,
    foreignCpu0: Math.max(0, ((cpu0After - cpu0Before) * JIFFY_US - cpuUs) / elapsedUs),
    foreignCpu1: Math.max(0, ((cpu1After - cpu1Before) * JIFFY_US - (own.user + own.system)) / elapsedUs),
    rssBefore,
    rssAfter,
    unexpected: requests - expected + result.errors + result.timeouts,
    statuses
  }
}
