import type { LoadResult } from './load.js'
import type { BenchConfig } from './servers/configs.js'

export interface Run extends LoadResult {
  config: string
  round: number
  /** Position in the round's shuffled order (0 = first). */
  position: number
  /** How many times it was measured again because the machine disturbed it. */
  retries: number
  /** Still disturbed after the retries. */
  disturbed: boolean
}

export interface Summary {
  config: BenchConfig
  runs: number
  reqPerSec: number
  p99Ms: number
  /** Median over rounds of (this config's req/s ÷ bare's req/s in the same round). */
  ratioToBare: number
  /** Same against the configuration's own baseline (e.g. ours-401 against bare-401). */
  ratioToBaseline: number | null
  cpuUsPerReq: number
  /** Median over rounds of (this config's CPU µs/request − bare's in the same round). */
  cpuOverBareUs: number
  serverCpu: number
  loadGenCpu: number
  rssAfterMb: number
  /** Largest RSS growth over one run, MB. */
  rssGrowthMb: number
  /** Median share of the server's CPU used by anything else. */
  foreignCpu0: number
  retries: number
  disturbedRuns: number
  min: { reqPerSec: number, ratioToBare: number }
  max: { reqPerSec: number, ratioToBare: number }
}

export function median (values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Per-configuration medians; ratios and differences are taken within each round first. */
export function summarise (configs: BenchConfig[], runs: Run[]): Summary[] {
  const byRound = new Map<number, Map<string, Run>>()
  for (const run of runs) {
    if (!byRound.has(run.round)) byRound.set(run.round, new Map())
    byRound.get(run.round)!.set(run.config, run)
  }
  const within = (config: string, against: string, f: (a: Run, b: Run) => number): number[] =>
    [...byRound.values()].flatMap((round) => {
      const a = round.get(config)
      const b = round.get(against)
      return a !== undefined && b !== undefined ? [f(a, b)] : []
    })

  return configs.map((config) => {
    const own = runs.filter((run) => run.config === config.id)
    const ratios = within(config.id, 'bare', (a, b) => a.reqPerSec / b.reqPerSec)
    return {
      config,
      runs: own.length,
      reqPerSec: median(own.map((r) => r.reqPerSec)),
      p99Ms: median(own.map((r) => r.p99Ms)),
      ratioToBare: median(ratios),
      ratioToBaseline: config.baseline === undefined ? null : median(within(config.id, config.baseline, (a, b) => a.reqPerSec / b.reqPerSec)),
      cpuUsPerReq: median(own.map((r) => r.cpuUsPerReq)),
      cpuOverBareUs: median(within(config.id, 'bare', (a, b) => a.cpuUsPerReq - b.cpuUsPerReq)),
      serverCpu: median(own.map((r) => r.serverCpu)),
      loadGenCpu: median(own.map((r) => r.loadGenCpu)),
      rssAfterMb: median(own.map((r) => r.rssAfter)) / 2 ** 20,
      rssGrowthMb: Math.max(...own.map((r) => r.rssAfter - r.rssBefore)) / 2 ** 20,
      foreignCpu0: median(own.map((r) => r.foreignCpu0)),
      retries: own.reduce((sum, r) => sum + r.retries, 0),
      disturbedRuns: own.filter((r) => r.disturbed).length,
      min: { reqPerSec: Math.min(...own.map((r) => r.reqPerSec)), ratioToBare: Math.min(...ratios) },
      max: { reqPerSec: Math.max(...own.map((r) => r.reqPerSec)), ratioToBare: Math.max(...ratios) }
    }
  })
}

/** Fisher–Yates, in place. */
export function shuffle<T> (items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
