import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Top self-time functions and modules of the .cpuprofile files in a folder (from node --cpu-prof). */

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

const ROOT = pathToFileURL(join(import.meta.dirname, '..')).href

function where (url: string): string {
  if (url === '') return '(native)'
  const local = url.startsWith(ROOT) ? url.slice(ROOT.length + 1) : url.replace(/^file:\/\//, '')
  return local.replace(/^.*node_modules\//, '')
}

/** node_modules package, dist/ (this package), node internals, or the benchmark itself. */
function moduleOf (url: string): string {
  if (url === '') return '(native code)'
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:internal$/, 'node:internal')
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg !== null) return pkg[1]!
  const local = where(url)
  return local.startsWith('dist/') ? 'fastify-google-oauth (dist)' : local.split('/').slice(0, 2).join('/')
}

export function summariseProfiles (dir: string, top = 25): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`)
  const byFunction = new Map<string, number>()
  const byModule = new Map<string, number>()
  /** Time with the function anywhere on the stack, for the plugin's own functions (dist/). */
  const inclusive = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id)!
      const dt = profile.timeDeltas[i] ?? 0
      const { functionName, url, lineNumber } = node.callFrame
      if (functionName === '(idle)') { idle += dt; return }
      total += dt
      const key = `${functionName || '(anonymous)'}  ${where(url)}${url === '' ? '' : `:${lineNumber + 1}`}`
      byFunction.set(key, (byFunction.get(key) ?? 0) + dt)
      const onStack = new Set<string>()
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = nodes.get(at)!.callFrame
        if (where(frame.url).startsWith('dist/')) onStack.add(`${frame.functionName || '(anonymous)'}  ${where(frame.url)}:${frame.lineNumber + 1}`)
      }
      for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
      const mod = functionName === '(garbage collector)' ? '(garbage collector)' : functionName === '(program)' ? '(program: native, not attributed)' : moduleOf(url)
      byModule.set(mod, (byModule.get(mod) ?? 0) + dt)
    })
  }
  const pct = (t: number) => `${(100 * t / total).toFixed(1).padStart(5)}%`
  const lines = [`busy ${(total / 1e6).toFixed(1)} s sampled (idle ${(idle / 1e6).toFixed(1)} s left out)`, '', 'self time by module:']
  for (const [mod, t] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(t)}  ${mod}`)
  lines.push('', `top ${top} functions by self time:`)
  for (const [fn, t] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${fn}`)
  const outside = [...byFunction].filter(([fn]) => !/\s(node:|fastify\/lib|find-my-way|light-my-request|avvio|pino|\(native)/.test(fn) && !/^\((program|garbage collector)\)/.test(fn))
  lines.push('', 'top functions outside Node.js and Fastify core, by self time:')
  for (const [fn, t] of outside.sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(t)}  ${fn}`)
  lines.push('', "the plugin's own functions (dist/), by total time (self + callees):")
  for (const [fn, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(t)}  ${fn}`)
  return lines.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2]
  if (dir === undefined) throw new Error('usage: tsx bench/profile.ts <folder of .cpuprofile files>')
  process.stdout.write(`${summariseProfiles(dir)}\n`)
}
