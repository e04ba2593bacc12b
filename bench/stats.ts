import type { LoadResult } from './load.js'
import type { BenchConfig } from './servers/configs.js'

export interface Run extends LoadResult {
  config: string
  round: number
  position: number // in the round's shuffled order (0 = first)
  retries: number // measured again because the machine disturbed it
  disturbed: boolean // still, after the retries
}

export interface Summary {
  config: BenchConfig
  reqPerSec: number
  p99Ms: number
  /** Median over rounds of (req/s ÷ bare's req/s in the same round), and its range. */
  ratioToBare: number
  min: { ratioToBare: number }
  max: { ratioToBare: number }
  cpuUsPerReq: number
  /** Median over rounds of (CPU µs/request − bare's in the same round). */
  cpuOverBareUs: number
  serverCpu: number
  rssAfterMb: number
  retries: number
  disturbedRuns: number
}

export function median (values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Per-configuration medians; ratios and differences to bare are taken within each round first. */
export function summarise (configs: BenchConfig[], runs: Run[]): Summary[] {
  const rounds = [...new Set(runs.map((run) => run.round))]
  const withinRounds = (id: string, f: (own: Run, bare: Run) => number): number[] => rounds.flatMap((round) => {
    const own = runs.find((r) => r.round === round && r.config === id)
    const bare = runs.find((r) => r.round === round && r.config === 'bare')
    return own !== undefined && bare !== undefined ? [f(own, bare)] : []
  })
  return configs.map((config) => {
    const own = runs.filter((run) => run.config === config.id)
    const ratios = withinRounds(config.id, (a, b) => a.reqPerSec / b.reqPerSec)
    return {
      config,
      reqPerSec: median(own.map((r) => r.reqPerSec)),
      p99Ms: median(own.map((r) => r.p99Ms)),
      ratioToBare: median(ratios),
      min: { ratioToBare: Math.min(...ratios) },
      max: { ratioToBare: Math.max(...ratios) },
      cpuUsPerReq: median(own.map((r) => r.cpuUsPerReq)),
      cpuOverBareUs: median(withinRounds(config.id, (a, b) => a.cpuUsPerReq - b.cpuUsPerReq)),
      serverCpu: median(own.map((r) => r.serverCpu)),
      rssAfterMb: median(own.map((r) => r.rssAfter)) / 2 ** 20,
      retries: own.reduce((sum, r) => sum + r.retries, 0),
      disturbedRuns: own.filter((r) => r.disturbed).length
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
