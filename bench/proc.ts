import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'

/** Process accounting from /proc, CPU pinning with taskset, and children that never outlive the run. */

const getconf = (name: string, fallback: number): number => {
  try { return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback } catch { return fallback }
}
const CLOCK_TICKS = getconf('CLK_TCK', 100)
const PAGE_SIZE = getconf('PAGESIZE', 4096)
/** µs per jiffy of /proc/stat. */
export const JIFFY_US = 1e6 / CLOCK_TICKS

/** utime + stime of a process (all its threads), in µs. */
export function cpuMicros (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * JIFFY_US
}

/** Busy jiffies of one CPU (all processes). */
export function cpuBusy (cpu: number): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `))
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = (line ?? '').trim().split(/\s+/).slice(1).map(Number)
  return user + nice + system + irq + softirq + steal
}

/** Resident set size in bytes. */
export const rssBytes = (pid: number): number => Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE

export const hasTaskset: boolean = (() => {
  try { execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }); return true } catch { return false }
})()

/** Pins this process (every thread) to `cpu`; false when taskset is missing or refuses. */
export function pinSelf (cpu: number): boolean {
  try { execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' }); return true } catch { return false }
}

const children = new Set<ChildProcess>()

/** What the benchmarks run: the package's built dist/, as users run it (bench/tsconfig.json maps nothing to src/). */
export const BENCH_TSCONFIG = fileURLToPath(new URL('./tsconfig.json', import.meta.url))

/** `node --import tsx script args` (on dist/, see BENCH_TSCONFIG), pinned to `cpu` when taskset exists, with an IPC channel. */
export function spawnNode (script: string, args: string[], cpu: number, nodeArgs: string[] = []): ChildProcess {
  const argv = [...nodeArgs, '--import', 'tsx', script, ...args]
  const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc']
  const env = { ...process.env, TSX_TSCONFIG_PATH: BENCH_TSCONFIG }
  const child = hasTaskset ? spawn('taskset', ['-c', String(cpu), process.execPath, ...argv], { stdio, env }) : spawn(process.execPath, argv, { stdio, env })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** SIGTERM, then SIGKILL after 3 s. */
export const stopChild = async (child: ChildProcess): Promise<void> => child.exitCode !== null || child.signalCode !== null
  ? undefined
  : await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    child.kill('SIGTERM')
  })

/** Stops every child, then runs `cleanup`, on Ctrl-C, SIGTERM and crashes; kills them on exit. */
export function guardChildren (cleanup: () => Promise<void>): void {
  const shutdown = async (code: number): Promise<never> => {
    await Promise.all([...children].map(stopChild))
    await cleanup().catch(() => {})
    process.exit(code)
  }
  process.on('exit', () => { for (const child of children) child.kill('SIGKILL') })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void shutdown(130) })
  process.on('uncaughtException', (error) => { process.stderr.write(`${error.stack ?? String(error)}\n`); void shutdown(1) })
}

/** The first IPC message of a child; fails if it exits first or takes over `timeoutMs`. */
export function firstMessage<T> (child: ChildProcess, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child ${child.pid} sent nothing within ${timeoutMs} ms`)), timeoutMs)
    child.once('message', (message) => { clearTimeout(timer); resolve(message as T) })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child ${child.pid} exited (${String(code)}) before answering`)) })
  })
}
