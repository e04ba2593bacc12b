import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { IdTokenResult } from './id-token.js'
import type { LoginRateResult } from './login-rate.js'
import type { MemoryResult } from './memory.js'
import type { BenchOptions } from './options.js'
import type { BenchConfig } from './servers/configs.js'
import { median, type Run, type Summary } from './stats.js'

export interface HttpPart {
  configs: BenchConfig[]
  runs: Run[]
  summaries: Summary[]
  options: BenchOptions
  /** Length of the signed-in cookie (`name=value`) per configuration id. */
  cookieBytes: Record<string, number>
}
export interface Extras { memory?: MemoryResult, idToken?: IdTokenResult, login?: LoginRateResult }

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PACKAGES = ['fastify', '@fastify/session', '@fastify/passport', '@fastify/secure-session', '@fastify/cookie', 'google-auth-library', 'fastify-session-redis-store', 'ioredis', 'autocannon', 'sodium-native']

export interface Machine { cpu: string, cores: number, node: string, os: string, packages: Record<string, string>, build: string }

export function machineInfo (): Machine {
  let cpu = 'unknown'
  try { cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu } catch {}
  const packages: Record<string, string> = {}
  for (const name of PACKAGES) {
    try { packages[name] = (JSON.parse(readFileSync(`${ROOT}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version } catch { packages[name] = 'not installed' }
  }
  let build = 'unknown'
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const version = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version
    build = `${version}, dist/ built from ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src') === '' ? '' : ' + uncommitted changes in src/'}`
  } catch {}
  let os: string = process.platform
  try { os = `${process.platform} ${execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim()}` } catch {}
  return { cpu, cores: cpus().length, node: process.version, os, packages, build }
}

const fmt = {
  int: (n: number) => Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–',
  ratio: (n: number | null) => n !== null && Number.isFinite(n) ? `${n.toFixed(2)}×` : '–',
  ms: (n: number) => Number.isFinite(n) ? n.toFixed(2) : '–',
  us: (n: number) => Number.isFinite(n) ? n.toFixed(1) : '–',
  signed: (n: number) => Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(1)}` : '–',
  mb: (n: number) => Number.isFinite(n) ? n.toFixed(0) : '–'
}

const MAX_RETRIES_NOTE = 'two retries'

const HEADER = ['configuration', 'req/s', '× bare', '× bare (min–max)', 'p99 ms', 'CPU µs/req', 'Δ CPU vs bare µs', 'server CPU', 'RSS MB']

function rows (http: HttpPart): string[][] {
  return http.summaries.map((s) => [
    s.config.label,
    fmt.int(s.reqPerSec),
    fmt.ratio(s.ratioToBare),
    `${fmt.ratio(s.min.ratioToBare)}–${fmt.ratio(s.max.ratioToBare)}`,
    fmt.ms(s.p99Ms),
    fmt.us(s.cpuUsPerReq),
    s.config.id === 'bare' ? '' : fmt.signed(s.cpuOverBareUs),
    Number.isFinite(s.serverCpu) ? `${(s.serverCpu * 100).toFixed(0)}%` : '–',
    fmt.mb(s.rssAfterMb)
  ])
}

/** The table as aligned plain text. */
export function printTable (http: HttpPart): string {
  const table = [HEADER, ...rows(http)]
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join('  ')
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(http).map(line), '', ...comparisons(http).map((c) => c.text)].join('\n')
}

function markdownTable (http: HttpPart): string {
  const align = HEADER.map((_, i) => i === 0 ? '---' : '---:')
  return [HEADER, align, ...rows(http)].map((r) => `| ${r.join(' | ')} |`).join('\n')
}

/** Median over rounds of a's req/s ÷ b's req/s in the same round. */
function pairRatio (runs: Run[], a: string, b: string): number {
  const rounds = new Set(runs.map((r) => r.round))
  const ratios: number[] = []
  for (const round of rounds) {
    const ra = runs.find((r) => r.round === round && r.config === a)
    const rb = runs.find((r) => r.round === round && r.config === b)
    if (ra !== undefined && rb !== undefined) ratios.push(ra.reqPerSec / rb.reqPerSec)
  }
  return median(ratios)
}

const PAIRS: Array<{ a: string, b: string, goal?: number }> = [
  { a: 'ours-401', b: 'bare-401', goal: 0.9 },
  { a: 'ours-redis', b: 'session-redis', goal: 1.5 },
  { a: 'ours-redis', b: 'session-redis-lean' },
  { a: 'ours-memory', b: 'session-defaults' },
  { a: 'ours-memory', b: 'session-lean' },
  { a: 'ours-memory', b: 'passport' },
  { a: 'ours-memory', b: 'secure-session' },
  { a: 'ours-memory', b: 'by-hand' }
]

function comparisons (http: HttpPart): Array<{ text: string, md: string }> {
  const label = (id: string) => http.configs.find((c) => c.id === id)?.label ?? id
  const present = (id: string) => http.configs.some((c) => c.id === id)
  return PAIRS.filter((p) => present(p.a) && present(p.b)).map(({ a, b, goal }) => {
    const ratio = pairRatio(http.runs, a, b)
    const verdict = goal === undefined ? '' : ` (target ≥ ${goal}×: ${ratio >= goal ? 'met' : 'NOT met'})`
    return {
      text: `${label(a)} ÷ ${label(b)}: ${fmt.ratio(ratio)}${verdict}`,
      md: `| ${label(a)} | ${label(b)} | ${fmt.ratio(ratio)} | ${goal === undefined ? '' : `≥ ${goal}× — ${ratio >= goal ? 'met' : '**not met**'}`} |`
    }
  })
}

/** Things in the data that make numbers less trustworthy. */
function warnings (http: HttpPart): string[] {
  const out: string[] = []
  const retried = http.summaries.reduce((sum, s) => sum + s.retries, 0)
  if (retried > 0) out.push(`${retried} run(s) were measured again because another process took CPU from the server during them (${http.summaries.filter((s) => s.retries > 0).map((s) => `${s.config.id} ×${s.retries}`).join(', ')}).`)
  for (const s of http.summaries) {
    if (s.disturbedRuns > 0) out.push(`${s.config.id}: ${s.disturbedRuns} of ${s.runs} runs were still disturbed after ${MAX_RETRIES_NOTE} (server CPU median ${(s.serverCpu * 100).toFixed(0)}%, other load on its CPU ${(s.foreignCpu0 * 100).toFixed(0)}%).`)
    const spread = s.max.ratioToBare / s.min.ratioToBare
    if (http.options.rounds > 2 && spread > 1.15) out.push(`${s.config.id}: its ratio to bare varied ${((spread - 1) * 100).toFixed(0)}% between rounds (noisy machine); CPU µs/request is the steadier figure.`)
  }
  const bareRuns = http.runs.filter((r) => r.config === 'bare')
  if (bareRuns.length > 1) {
    const cpu = bareRuns.map((r) => r.cpuUsPerReq)
    const rps = bareRuns.map((r) => r.reqPerSec)
    out.push(`Noise floor: bare Fastify alone ranged ${fmt.int(Math.min(...rps))}–${fmt.int(Math.max(...rps))} req/s and ${fmt.us(Math.min(...cpu))}–${fmt.us(Math.max(...cpu))} CPU µs/request between rounds, so differences smaller than about ${fmt.us(Math.max(...cpu) - Math.min(...cpu))} µs/request or ${((Math.max(...rps) / Math.min(...rps) - 1) * 100).toFixed(0)}% are within the noise of this machine.`)
  }
  for (const s of http.summaries) {
    if (s.config.id !== 'bare' && s.config.expect === 200 && s.ratioToBare > 1) out.push(`${s.config.id}: a ratio above 1× for a configuration that does more than bare means it is indistinguishable from bare in this run, not faster.`)
  }
  if (http.summaries.some((s) => s.config.expect === 401)) out.push('The 401 rows send a short pre-serialized body instead of the user JSON and skip the route handler: they can be faster than bare Fastify answering 200. Compare them with "bare Fastify, 401 answer".')
  if (http.summaries.some((s) => s.config.signedIn)) out.push('Every signed-in run replays one session cookie (one user): anything a library caches per cookie or per session is always hit.')
  return out
}

// ——— chart ———

function escapeXml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function chartSvg (http: HttpPart, subtitle: string): string {
  const items = http.summaries.filter((s) => Number.isFinite(s.ratioToBare))
  const labelWidth = 390
  const barMax = 300
  const rowH = 26
  const top = 64
  const width = labelWidth + barMax + 80
  const height = top + items.length * rowH + 36
  const scale = Math.max(1, ...items.map((s) => s.max.ratioToBare))
  const x = (ratio: number) => labelWidth + (ratio / scale) * barMax
  const colour = (s: Summary) => s.config.server === 'bare' ? '#5f6368' : s.config.server === 'ours' ? '#1a73e8' : '#e37400'
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,-apple-system,Segoe UI,Roboto,Arial,sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    '<text x="16" y="24" font-size="16" font-weight="600" fill="#202124">Throughput relative to bare Fastify (median of per-round ratios; higher is better)</text>',
    `<text x="16" y="44" font-size="12" fill="#5f6368">${escapeXml(subtitle)}</text>`
  ]
  items.forEach((s, i) => {
    const y = top + i * rowH
    parts.push(`<text x="${labelWidth - 10}" y="${y + 15}" text-anchor="end" fill="#202124">${escapeXml(s.config.label)}</text>`)
    parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(1, x(s.ratioToBare) - labelWidth).toFixed(1)}" height="${rowH - 8}" rx="2" fill="${colour(s)}"/>`)
    // min–max whisker over the rounds
    parts.push(`<line x1="${x(s.min.ratioToBare).toFixed(1)}" x2="${x(s.max.ratioToBare).toFixed(1)}" y1="${y + rowH / 2 - 1}" y2="${y + rowH / 2 - 1}" stroke="#202124" stroke-width="1.2"/>`)
    parts.push(`<text x="${(Math.max(x(s.ratioToBare), x(s.max.ratioToBare)) + 6).toFixed(1)}" y="${y + 15}" fill="#202124">${s.ratioToBare.toFixed(2)}×</text>`)
  })
  const baseY = top + items.length * rowH
  parts.push(`<line x1="${x(1).toFixed(1)}" x2="${x(1).toFixed(1)}" y1="${top - 4}" y2="${baseY + 2}" stroke="#5f6368" stroke-dasharray="3 3"/>`)
  parts.push(`<text x="${x(1).toFixed(1)}" y="${baseY + 16}" text-anchor="middle" font-size="11" fill="#5f6368">1.0× = bare</text>`)
  parts.push(`<text x="16" y="${baseY + 30}" font-size="11" fill="#5f6368">blue: fastify-google-oauth · orange: other session libraries · grey: bare Fastify · line: min–max over rounds</text>`)
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

// ——— RESULTS.md ———

function extrasMarkdown (extras: Extras): string[] {
  const lines: string[] = []
  const m = extras.memory
  if (m !== undefined) {
    const e = m.expiry
    lines.push('## Memory per signed-in session (default store)', '',
      `${m.sessions.toLocaleString('en-US')} sessions in \`new BoundedMemoryStore({ maxSessions: 200_000, ttl: 3_600_000 })\`, each a copy of a real record from a sign-in through the fake Google ` +
      `(${m.recordJsonBytes.toLocaleString('en-US')} bytes as JSON; largest strings: ${Object.entries(m.recordStrings).map(([k, v]) => `\`${k}\` ${v}`).join(', ')} characters) with its ids, tokens and picture made unique, ` +
      'and ids like real ones (`randomBytes(24).toString(\'base64url\')`). heapUsed after `global.gc()`.', '',
      '| measure | value |', '|---|---:|',
      `| heap per session | **${fmt.int(m.bytesPerSession)} bytes** |`,
      `| heap for ${m.sessions.toLocaleString('en-US')} sessions | ${(m.heapDeltaBytes / 2 ** 20).toFixed(1)} MB |`,
      `| same records in @fastify/session's MemoryStore (a Map), for reference | ${fmt.int(m.fastifySessionMemoryStoreBytesPerSession)} bytes/session |`,
      `| a store nobody references any more is garbage collected | ${m.storeReleasedWhenDropped ? 'yes' : '**no**: something (a timer?) keeps it and its sessions alive'} |`,
      '', `Expiry, with \`ttl: ${e.ttlMs}\` and ${e.sessions.toLocaleString('en-US')} sessions (heap growth over the empty store):`, '',
      '| moment | store.size | heap MB |', '|---|---:|---:|',
      `| just filled | ${fmt.int(e.sizeFilled)} | ${e.heapFilledMb.toFixed(1)} |`,
      `| ${(e.waitedMs / 1000).toFixed(1)} s later, nothing read | ${fmt.int(e.sizeAfterWait)} | ${e.heapAfterWaitMb.toFixed(1)} |`,
      `| then one \`get\` per id (all answered nothing) | ${fmt.int(e.sizeAfterReads)} | ${e.heapAfterReadsMb.toFixed(1)} |`,
      `| ${e.sessions.toLocaleString('en-US')} more written, left unread as long, ${e.sessions.toLocaleString('en-US')} more written | ${fmt.int(e.sizeAfterMoreWrites)} | ${e.heapAfterMoreWritesMb.toFixed(1)} |`,
      '',
      e.sizeAfterWait === 0
        ? `Expired sessions leave memory without being read: the store was empty ${(e.waitedMs / 1000).toFixed(1)} s after the last write (ttl ${(e.ttlMs / 1000).toFixed(1)} s). What remains is the empty store's fixed index for \`maxSessions: 200_000\`.`
        : `Expired sessions stayed in memory for ${(e.waitedMs / 1000).toFixed(1)} s (ttl ${(e.ttlMs / 1000).toFixed(1)} s) until they were read or pushed out by \`maxSessions\`: memory stays bounded by \`maxSessions\` × the size above, not by the live sessions.`,
      '')
  }
  const t = extras.idToken
  if (t !== undefined) {
    lines.push('## ID token verification (warm key cache)', '',
      `One RS256 ID token (${t.idTokenChars} characters) from the fake Google's token endpoint, verified again and again in one process.`, '',
      '| method | µs per token | CPU µs per token |', '|---|---:|---:|',
      `| google-auth-library \`OAuth2Client.verifyIdToken\` (keys cached after the first call) | **${fmt.us(t.verifyIdToken.usPerToken)}** | ${fmt.us(t.verifyIdToken.cpuUsPerToken)} |`,
      ...(t.joseJwtVerify === null ? [] : [`| jose \`jwtVerify\` with \`createRemoteJWKSet\` (keys cached after the first call) | ${fmt.us(t.joseJwtVerify.usPerToken)} | ${fmt.us(t.joseJwtVerify.cpuUsPerToken)} |`]),
      `| node:crypto \`crypto.verify('RSA-SHA256')\` with a cached \`KeyObject\` (floor) | ${fmt.us(t.cryptoVerifyKeyObject.usPerToken)} | ${fmt.us(t.cryptoVerifyKeyObject.cpuUsPerToken)} |`,
      `| node:crypto \`crypto.verify\` given the PEM text (parsed every call, as the library does) | ${fmt.us(t.cryptoVerifyPem.usPerToken)} | ${fmt.us(t.cryptoVerifyPem.cpuUsPerToken)} |`,
      `| for scale: RS256 signing with a 2048-bit key (the fake Google, once per sign-in) | ${fmt.us(t.cryptoSignRs256.usPerToken)} | ${fmt.us(t.cryptoSignRs256.cpuUsPerToken)} |`,
      '')
  }
  const l = extras.login
  if (l !== undefined) {
    lines.push('## Login rate', '',
      'Complete sign-ins (GET /oauth2/google → fake Google auto-consent → callback: code exchange, ID token check, new session in the default store → 303), each with a fresh cookie jar, ' +
      'for 5 s per row (2 s with `--quick`). The app and the fake Google share the server process on CPU 0, so its CPU includes the fake\'s work (RS256 signing, its HTTP handling); clients on CPU 1, HTTP keep-alive.', '',
      '| clients | sign-ins/s | p50 ms | p99 ms | server CPU per sign-in (app + fake) | server CPU busy |', '|---:|---:|---:|---:|---:|---:|',
      ...l.runs.map((r) => `| ${r.concurrency} | **${fmt.int(r.perSecond)}** | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${(r.serverCpuUsPerSignIn / 1000).toFixed(2)} ms | ${(r.serverCpu * 100).toFixed(0)}% |`),
      '')
  }
  return lines
}

function methodMarkdown (http: HttpPart | null, pinned: boolean): string[] {
  const o = http?.options
  return ['## Method', '',
    `- Every configuration is a separate server process (\`bench/servers/\`), ${pinned ? 'pinned to CPU 0 with `taskset -c 0`; the load generator (autocannon, in the runner process) is pinned to CPU 1' : 'not pinned (taskset missing)'}. ` +
    'Redis (when used) is not pinned and shares the machine.',
    `- ${o === undefined ? 'N' : o.rounds} round${o?.rounds === 1 ? '' : 's'}; in each round every configuration runs once, in a new random order: ${o?.warmupS ?? 1} s warmup, then ${o?.durationS ?? 5} s measured with ${o?.connections ?? 10} connections, \`GET /me\`.`,
    '- Before measuring, each server is checked: the signed-in request answers 200 with the user, a request without a cookie (and one with a forged cookie) answers 401. During the runs every response must have the expected status, or the benchmark stops.',
    '- The runner also watches CPU 0 in `/proc/stat`: a run during which the server used less than 88% of its core, or anything else used more than 15% of it (80% / 30% for Redis rows, where the server waits for Redis and Redis itself may run there), is measured again, at most twice.',
    '- Per run: req/s = responses ÷ wall time; p99 from every response\'s latency (sub-millisecond); **server CPU µs per request** = the server process\'s utime + stime over the measured window (`/proc/<pid>/stat`, all threads) ÷ responses; RSS before and after.',
    '- Reported: medians over rounds. Ratios to bare and CPU differences to bare are computed within each round, then the median is taken, so slow phases of a shared machine affect both sides of a ratio alike. "min–max" is the range of that ratio over rounds.',
    '- Signed-in configurations: ours signs in through `GET /oauth2/google` → the fake Google (started in the server process, auto-consent) → the callback with a small cookie-keeping client; the others through a setup-only login route that fills the session. ' +
    'All sessions hold the same user (the fake Google\'s first account) and the Google tokens (passport: the user id, its deserializer looks the user up in a Map); every guarded route answers the same user JSON and every 401 the same body.' +
    (http === null ? '' : ` Cookie sent (\`name=value\`): ${Object.entries(http.cookieBytes).map(([id, n]) => `${id} ${n.toLocaleString('en-US')} B`).join(', ')}; @fastify/secure-session's carries the encrypted user and tokens.`),
    '- @fastify/session runs with its defaults except `cookie.secure: false` (the benchmark speaks plain http; behind TLS its default `true` behaves like this). Its defaults (`rolling: true`, `saveUninitialized: true`) write the session back to the store and send the cookie on every request; the `rolling:false` rows do not.',
    '- The extra measurements run after the HTTP part, each in its own process: `bench/memory.ts` (with `--expose-gc`), `bench/id-token.ts`, `bench/login-rate.ts`.',
    '- Raw per-run numbers: `bench/results/http.json` (not committed).',
    '']
}

export function writeReport (input: { http: HttpPart | null, extras: Extras, notes: string[], started: Date, machine: Machine, options: BenchOptions, pinned: boolean, complete: boolean }): { text: string, files: string[] } {
  const { http, extras, notes, started, machine, options, pinned, complete } = input
  const resultsDir = fileURLToPath(new URL('./results/', import.meta.url))
  const outDir = complete ? fileURLToPath(new URL('./', import.meta.url)) : `${resultsDir}${options.quick ? 'quick' : 'partial'}/`
  const svgPath = complete ? `${ROOT}docs/bench.svg` : `${outDir}bench.svg`
  mkdirSync(outDir, { recursive: true })
  const files: string[] = []
  const command = process.env.npm_lifecycle_event === 'bench'
    ? `npm run bench${options.argv.length > 0 ? ` -- ${options.argv.join(' ')}` : ''}`
    : `tsx bench/run.ts${options.argv.length > 0 ? ` ${options.argv.join(' ')}` : ''}`
  const date = started.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')

  if (http !== null) {
    writeFileSync(`${resultsDir}http.json`, JSON.stringify({ started, machine, options: { ...options, parts: [...options.parts] }, runs: http.runs, summaries: http.summaries }, null, 2))
  }
  writeFileSync(`${resultsDir}extras.json`, JSON.stringify(extras, null, 2))

  const md: string[] = ['# Benchmark results', '',
    `What \`fastify.authenticate\` costs on every guarded request, against bare Fastify and the usual session libraries. Produced by \`${command}\` on ${date}${options.quick ? ' (quick smoke run: too short to quote)' : ''}.`, '',
    '| machine | |', '|---|---|',
    `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
    `| Node.js | ${machine.node} (${machine.os}) |`,
    `| fastify-google-oauth | ${machine.build} |`,
    ...Object.entries(machine.packages).map(([name, version]) => `| ${name} | ${version} |`),
    '']
  if (http !== null) {
    const subtitle = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${http.options.rounds} rounds × ${http.options.durationS} s, ${http.options.connections} connections; ${date}`
    writeFileSync(svgPath, chartSvg(http, subtitle))
    files.push(svgPath)
    md.push('## Guarded request throughput', '',
      `\`GET /me\`, ${http.options.connections} connections, medians of ${http.options.rounds} rounds × ${http.options.durationS} s. Higher req/s and × bare are better; lower p99 and CPU are better.`, '',
      markdownTable(http), '',
      `![Throughput relative to bare Fastify](${complete ? '../docs/bench.svg' : 'bench.svg'})`, '',
      '| configuration | compared with | median ratio of req/s (per round) | target |', '|---|---|---:|---|',
      ...comparisons(http).map((c) => c.md), '')
    const warn = warnings(http)
    if (warn.length > 0) md.push('Reading this run:', '', ...warn.map((w) => `- ${w}`), '')
  }
  md.push(...extrasMarkdown(extras))
  if (notes.length > 0) md.push('## Notes', '', ...notes.map((n) => `- ${n}`), '')
  md.push(...methodMarkdown(http, pinned))
  md.push('Run it yourself: `npm run bench` (about 7 minutes), `npm run bench -- --quick` (about 2 minutes), `npm run bench -- --help` for the options. A Redis server on 127.0.0.1:6379 is needed for the Redis rows (they are skipped without one).', '')

  const mdPath = `${outDir}RESULTS.md`
  writeFileSync(mdPath, md.join('\n'))
  files.unshift(mdPath)
  return { text: extrasText(extras).join('\n'), files }
}

function extrasText (extras: Extras): string[] {
  const lines: string[] = []
  if (extras.memory !== undefined) {
    const m = extras.memory
    lines.push(`memory: ${fmt.int(m.bytesPerSession)} bytes/session in BoundedMemoryStore (${(m.heapDeltaBytes / 2 ** 20).toFixed(1)} MB for ${m.sessions.toLocaleString('en-US')}); @fastify/session MemoryStore ${fmt.int(m.fastifySessionMemoryStoreBytesPerSession)} bytes/session; dropped store collected: ${m.storeReleasedWhenDropped ? 'yes' : 'NO'}`)
    lines.push(`expiry (ttl ${m.expiry.ttlMs} ms): size ${m.expiry.sizeFilled} → ${m.expiry.sizeAfterWait} ${(m.expiry.waitedMs / 1000).toFixed(1)} s later, unread (heap ${m.expiry.heapFilledMb.toFixed(1)} → ${m.expiry.heapAfterWaitMb.toFixed(1)} MB), ${m.expiry.sizeAfterReads} after reading every id (${m.expiry.heapAfterReadsMb.toFixed(1)} MB), ${m.expiry.sizeAfterMoreWrites} after two more batches (${m.expiry.heapAfterMoreWritesMb.toFixed(1)} MB)`)
  }
  if (extras.idToken !== undefined) {
    const t = extras.idToken
    lines.push(`ID token: verifyIdToken ${fmt.us(t.verifyIdToken.usPerToken)} µs/token; jose jwtVerify ${t.joseJwtVerify === null ? 'not installed' : `${fmt.us(t.joseJwtVerify.usPerToken)} µs`}; crypto.verify with cached KeyObject ${fmt.us(t.cryptoVerifyKeyObject.usPerToken)} µs; with PEM text ${fmt.us(t.cryptoVerifyPem.usPerToken)} µs; RS256 sign ${fmt.us(t.cryptoSignRs256.usPerToken)} µs`)
  }
  if (extras.login !== undefined) {
    for (const r of extras.login.runs) lines.push(`login, ${r.concurrency} client(s): ${fmt.int(r.perSecond)} sign-ins/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${(r.serverCpuUsPerSignIn / 1000).toFixed(2)} ms server CPU each`)
  }
  return lines
}
