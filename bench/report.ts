import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import type { BenchConfig } from './servers/configs.js'
import { median, withinRounds, type Run, type Summary } from './stats.js'

export interface Report {
  configs: BenchConfig[]
  runs: Run[]
  summaries: Summary[]
  rounds: number
  durationS: number
  connections: number
  notes: string[]
  started: Date
  command: string
}

const PACKAGES = ['fastify', '@fastify/session', '@fastify/passport', '@fastify/secure-session', '@fastify/cookie', 'google-auth-library', 'jose', 'fastify-session-redis-store', 'ioredis', 'autocannon']

function machine (): string[] {
  const read = (command: string, args: string[]): string => { try { return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() } catch { return 'unknown' } }
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown'
  const version = (name: string): string => { try { return (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version } catch { return 'not installed' } }
  const dirty = read('git', ['status', '--porcelain', '--', 'src']) === '' ? '' : ' + uncommitted changes in src/'
  return [
    `| CPU | ${cpu}, ${cpus().length} cores |`,
    `| Node.js | ${process.version} (${process.platform} ${read('uname', ['-r'])}) |`,
    `| fastify-google-oauth | ${version('..')} dist/ built from ${read('git', ['rev-parse', '--short', 'HEAD'])}${dirty} |`,
    ...PACKAGES.map((name) => `| ${name} | ${version(name)} |`)
  ]
}

const num = (n: number, digits = 0): string => Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–'
const ratio = (n: number | null): string => n !== null && Number.isFinite(n) ? `${n.toFixed(2)}×` : '–'
const signed = (n: number): string => Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(1)}` : '–'

const HEADER = ['configuration', 'req/s', '× bare', '× bare (min–max)', 'p99 ms', 'CPU µs/req', 'Δ CPU vs bare µs', 'server CPU', 'RSS MB']

function rows (report: Report): string[][] {
  return report.summaries.map((s) => [
    s.config.label, num(s.reqPerSec), ratio(s.ratioToBare), `${ratio(s.min.ratioToBare)}–${ratio(s.max.ratioToBare)}`,
    num(s.p99Ms, 2), num(s.cpuUsPerReq, 1), s.config.id === 'bare' ? '' : signed(s.cpuOverBareUs),
    `${num(s.serverCpu * 100)}%`, num(s.rssAfterMb)
  ])
}

/** Pairs compared within each round; a goal, where the project set one. */
const PAIRS: Array<{ a: string, b: string, goal?: number }> = [
  { a: 'ours-memory', b: 'bare', goal: 0.9 },
  { a: 'ours-redis-store', b: 'bare', goal: 0.9 },
  { a: 'ours-memory', b: 'ours-redis-store', goal: 1 },
  { a: 'bare-hooks', b: 'bare' },
  { a: 'ours-memory', b: 'bare-hooks' },
  { a: 'ours-bearer', b: 'bare', goal: 0.9 },
  { a: 'ours-bearer', b: 'bare-bearer', goal: 0.9 },
  { a: 'ours-401', b: 'bare-401', goal: 0.9 },
  { a: 'ours-redis', b: 'session-redis', goal: 1.5 },
  { a: 'ours-memory', b: 'session-defaults' },
  { a: 'ours-memory', b: 'passport' },
  { a: 'ours-memory', b: 'secure-session' },
  { a: 'ours-memory', b: 'by-hand' }
]

function comparisons (report: Report): string[][] {
  const label = (id: string) => report.configs.find((c) => c.id === id)?.label
  return PAIRS.filter(({ a, b }) => label(a) !== undefined && label(b) !== undefined).map(({ a, b, goal }) => {
    const value = median(withinRounds(report.runs, a, b, (ra, rb) => ra.reqPerSec / rb.reqPerSec))
    return [label(a)!, label(b)!, ratio(value), goal === undefined ? '' : `≥ ${goal}× — ${value >= goal ? 'met' : '**not met**'}`]
  })
}

/** What makes this run's numbers less trustworthy: retries, spread, the noise floor of bare Fastify. */
function cautions (report: Report): string[] {
  const out: string[] = []
  for (const s of report.summaries.filter((s) => s.retries > 0)) out.push(`${s.config.id}: ${s.retries} run(s) measured again because another process took the server's CPU${s.disturbedRuns > 0 ? `; ${s.disturbedRuns} still disturbed` : ''}.`)
  const bare = report.runs.filter((r) => r.config === 'bare')
  if (bare.length > 1) {
    const [rps, cpu] = [bare.map((r) => r.reqPerSec), bare.map((r) => r.cpuUsPerReq)]
    out.push(`Noise floor: bare Fastify alone ranged ${num(Math.min(...rps))}–${num(Math.max(...rps))} req/s and ${num(Math.min(...cpu), 1)}–${num(Math.max(...cpu), 1)} CPU µs/request between its runs (two a round); smaller differences are noise.`)
  }
  out.push('The 401 rows skip the route handler and send a short body: compare them with "bare Fastify, 401 answer". Every signed-in run replays one session cookie (or one Bearer token), so per-session caches are always hit.')
  return out
}

/** Bars of the median ratio to bare, with the min–max over rounds. */
function chart (report: Report, subtitle: string): string {
  const items = report.summaries.filter((s) => Number.isFinite(s.ratioToBare))
  const [labelW, barW, rowH, top] = [390, 300, 26, 64]
  const [width, height] = [labelW + barW + 80, top + items.length * rowH + 36]
  const scale = Math.max(1, ...items.map((s) => s.max.ratioToBare))
  const x = (r: number) => (labelW + (r / scale) * barW).toFixed(1)
  const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
  const colour = (s: Summary) => s.config.server === 'bare' ? '#5f6368' : s.config.server === 'ours' ? '#1a73e8' : '#e37400'
  const bars = items.map((s, i) => {
    const y = top + i * rowH
    return `<text x="${labelW - 10}" y="${y + 15}" text-anchor="end" fill="#202124">${esc(s.config.label)}</text>\n` +
      `<rect x="${labelW}" y="${y + 3}" width="${Math.max(1, Number(x(s.ratioToBare)) - labelW).toFixed(1)}" height="${rowH - 8}" rx="2" fill="${colour(s)}"/>\n` +
      `<line x1="${x(s.min.ratioToBare)}" x2="${x(s.max.ratioToBare)}" y1="${y + rowH / 2 - 1}" y2="${y + rowH / 2 - 1}" stroke="#202124" stroke-width="1.2"/>\n` +
      `<text x="${(Math.max(Number(x(s.ratioToBare)), Number(x(s.max.ratioToBare))) + 6).toFixed(1)}" y="${y + 15}" fill="#202124">${s.ratioToBare.toFixed(2)}×</text>`
  })
  const base = top + items.length * rowH
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    '<text x="16" y="24" font-size="16" font-weight="600" fill="#202124">Throughput relative to bare Fastify (median of per-round ratios; higher is better)</text>',
    `<text x="16" y="44" font-size="12" fill="#5f6368">${esc(subtitle)}</text>`,
    ...bars,
    `<line x1="${x(1)}" x2="${x(1)}" y1="${top - 4}" y2="${base + 2}" stroke="#5f6368" stroke-dasharray="3 3"/>`,
    `<text x="${x(1)}" y="${base + 16}" text-anchor="middle" font-size="11" fill="#5f6368">1.0× = bare</text>`,
    `<text x="16" y="${base + 30}" font-size="11" fill="#5f6368">blue: fastify-google-oauth · orange: other session libraries · grey: bare Fastify · line: min–max over rounds</text>`,
    '</svg>', ''
  ].join('\n')
}

const markdownTable = (header: string[], body: string[][]): string[] =>
  [header, header.map((_, i) => i === 0 ? '---' : '---:'), ...body].map((r) => `| ${r.join(' | ')} |`)

/** The table as aligned text, for the terminal. */
export function textTable (report: Report): string {
  const table = [HEADER, ...rows(report)]
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  const lines = table.map((r) => r.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  '))
  return [...lines, '', ...comparisons(report).map(([a, b, value, goal]) => `${a} ÷ ${b}: ${value}${goal === '' ? '' : ` (${goal!.replace(/\*/g, '')})`}`)].join('\n')
}

/** RESULTS.md and the chart: in bench/ and docs/ for a full run, under bench/results/ otherwise. */
export function writeReport (report: Report, full: boolean): string[] {
  const dir = full ? 'bench/' : 'bench/results/'
  mkdirSync(dir, { recursive: true })
  const date = report.started.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
  const svg = full ? 'docs/bench.svg' : `${dir}bench.svg`
  writeFileSync(svg, chart(report, `${cpus()[0]?.model ?? ''}, ${cpus().length} cores, Node ${process.version}; ${report.rounds} rounds × ${report.durationS} s, ${report.connections} connections; ${date}`))
  const md = [
    '# Benchmark results', '',
    `What \`fastify.authenticate\` costs on every guarded request, against bare Fastify and the usual session libraries. Produced by \`${report.command}\` on ${date}.`, '',
    '| machine | |', '|---|---|', ...machine(), '',
    '## Guarded request throughput', '',
    `\`GET /me\`, ${report.connections} connections, medians of ${report.rounds} rounds × ${report.durationS} s. Higher req/s and × bare are better; lower p99 and CPU are better.`, '',
    ...markdownTable(HEADER, rows(report)), '',
    `![Throughput relative to bare Fastify](${full ? '../docs/bench.svg' : 'bench.svg'})`, '',
    ...markdownTable(['configuration', 'compared with', 'median ratio of req/s (per round)', 'target'], comparisons(report)), '',
    'Reading this run:', '', ...[...cautions(report), ...report.notes].map((line) => `- ${line}`), '',
    '## Method', '',
    '- Each configuration is its own server process (`bench/servers/`) pinned to CPU 0 with `taskset`; autocannon runs in the runner, pinned to CPU 1. Redis is not pinned.',
    '- Every round runs every configuration once, and bare Fastify twice (each round\'s ratios are taken to the mean of its two runs), in a new random order: a warmup second, then the measured window. A run during which the server had less than 88% of its core, or something else took over 15% of it (80% / 30% for Redis rows), is measured again, twice at most.',
    '- Before measuring, each server must answer the signed-in request 200 with the user and a request without a credential (and one with a forged one) 401; during the runs, every response must have the expected status.',
    '- Server CPU µs per request: the server process\'s utime + stime over the window (`/proc/<pid>/stat`) ÷ responses. Ratios and CPU differences to bare are taken within each round, then the median over rounds.',
    '- Sessions: ours signs in through its real routes and the fake Google (`signInAs` from `fastify-google-oauth/testing`); the others through a setup-only login route. All hold the same user and Google tokens and answer the same JSON.',
    '- Raw per-run numbers: `bench/results/http.json` (not committed). Memory per session, ID-token verification, sign-in rate and cookie reading are separate: `npm run bench:extra`.',
    ''
  ]
  writeFileSync(`${dir}RESULTS.md`, md.join('\n'))
  return [`${dir}RESULTS.md`, svg]
}
