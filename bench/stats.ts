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

/** What a configuration measured in one round: the mean of its runs there (bare Fastify runs twice a round). */
export type RoundFigures = Pick<Run, 'reqPerSec' | 'cpuUsPerReq'>

function inRound (runs: Run[], round: number, id: string): RoundFigures | undefined {
  const own = runs.filter((r) => r.round === round && r.config === id)
  if (own.length === 0) return undefined
  const mean = (f: (r: Run) => number) => own.reduce((sum, r) => sum + f(r), 0) / own.length
  return { reqPerSec: mean((r) => r.reqPerSec), cpuUsPerReq: mean((r) => r.cpuUsPerReq) }
}

/** Per round, `f` of configuration `a`'s figures and `b`'s, for every round that measured both. */
export function withinRounds (runs: Run[], a: string, b: string, f: (a: RoundFigures, b: RoundFigures) => number): number[] {
  return [...new Set(runs.map((run) => run.round))].flatMap((round) => {
    const [ra, rb] = [inRound(runs, round, a), inRound(runs, round, b)]
    return ra !== undefined && rb !== undefined ? [f(ra, rb)] : []
  })
}

/** Per-configuration medians; ratios and differences to bare are taken within each round first. */
export function summarise (configs: BenchConfig[], runs: Run[]): Summary[] {
  const withBare = (id: string, f: (own: RoundFigures, bare: RoundFigures) => number): number[] => withinRounds(runs, id, 'bare', f)
  return configs.map((config) => {
    const own = runs.filter((run) => run.config === config.id)
    const ratios = withBare(config.id, (a, b) => a.reqPerSec / b.reqPerSec)
    return {
      config,
      reqPerSec: median(own.map((r) => r.reqPerSec)),
      p99Ms: median(own.map((r) => r.p99Ms)),
      ratioToBare: median(ratios),
      min: { ratioToBare: Math.min(...ratios) },
      max: { ratioToBare: Math.max(...ratios) },
      cpuUsPerReq: median(own.map((r) => r.cpuUsPerReq)),
      cpuOverBareUs: median(withBare(config.id, (a, b) => a.cpuUsPerReq - b.cpuUsPerReq)),
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
