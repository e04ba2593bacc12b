/** Command-line options of `npm run bench -- [options]`. */
export interface BenchOptions {
  rounds: number
  durationS: number
  warmupS: number
  connections: number
  quick: boolean
  /** Configuration ids to run (all when empty). */
  configs: string[]
  /** Parts to run: http, memory, id-token, login. */
  parts: Set<Part>
  /** A configuration to profile with --cpu-prof (its server only). */
  cpuProf: string | null
  /** The arguments as given, for the report. */
  argv: string[]
}

export const PARTS = ['http', 'memory', 'id-token', 'login'] as const
export type Part = typeof PARTS[number]

export const USAGE = `npm run bench -- [options]
  --rounds N        rounds of the HTTP comparison (default 5; --quick: 2)
  --duration S      measured seconds per run (default 5; --quick: 2)
  --warmup S        warmup seconds before each run (default 1)
  --connections N   concurrent connections (default 10)
  --quick           smoke run: 2 rounds of 2 s, shorter extra measurements
  --configs a,b     only these HTTP configurations (ids in bench/servers/configs.ts; bare is always added)
  --parts p,q       only these parts: ${PARTS.join(', ')} (default: all)
  --cpu-prof ID     profile configuration ID's server with --cpu-prof and list the top self-time functions
  --help`

export function parseOptions (argv: string[]): BenchOptions {
  const quick = argv.includes('--quick')
  const options: BenchOptions = {
    rounds: quick ? 2 : 5,
    durationS: quick ? 2 : 5,
    warmupS: 1,
    connections: 10,
    quick,
    configs: [],
    parts: new Set(PARTS),
    cpuProf: null,
    argv
  }
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value)
    if (value === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!
    const value = argv[i + 1]
    switch (flag) {
      case '--quick': break
      case '--rounds': options.rounds = Math.round(number(flag, value)); i++; break
      case '--duration': options.durationS = number(flag, value); i++; break
      case '--warmup': options.warmupS = number(flag, value); i++; break
      case '--connections': options.connections = Math.round(number(flag, value)); i++; break
      case '--configs': options.configs = (value ?? '').split(',').filter(Boolean); i++; break
      case '--parts': {
        const parts = (value ?? '').split(',').filter(Boolean)
        for (const part of parts) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`unknown part ${part}`)
        options.parts = new Set(parts as Part[])
        i++
        break
      }
      case '--cpu-prof': options.cpuProf = value ?? null; i++; break
      case '--help': case '-h': process.stdout.write(`${USAGE}\n`); process.exit(0); break
      default: throw new Error(`unknown option ${flag}\n${USAGE}`)
    }
  }
  return options
}
