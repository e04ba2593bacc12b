import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Process accounting from /proc, CPU pinning with taskset, and children that never outlive us. */

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

const PAGE_SIZE = (() => {
  try {
    return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim()) || 4096
  } catch {
    return 4096
  }
})()

/** utime + stime of a process (all its threads), in µs, from /proc/<pid>/stat. */
export function cpuMicros (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return (utime + stime) * 1e6 / CLOCK_TICKS
}

/** Busy and total time of one CPU (jiffies, all processes), from /proc/stat. */
export function cpuTimes (cpu: number): { busy: number, total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `))
  if (line === undefined) return { busy: NaN, total: NaN }
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number)
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

/** µs per jiffy of /proc/stat. */
export const JIFFY_US = 1e6 / CLOCK_TICKS

/** Resident set size in bytes, from /proc/<pid>/statm. */
export function rssBytes (pid: number): number {
  const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')
  return Number(statm[1]) * PAGE_SIZE
}

export const hasTaskset: boolean = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

/** Pins this process (every thread) to `cpu`. Returns false when taskset is missing or refuses. */
export function pinSelf (cpu: number): boolean {
  if (!hasTaskset) return false
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

const children = new Set<ChildProcess>()

/** Starts `node [nodeArgs] script [args]` pinned to `cpu` (when taskset exists), with an IPC channel. */
export function spawnNode (script: string, args: string[], options: { cpu: number | null, nodeArgs?: string[], env?: NodeJS.ProcessEnv, stdio?: StdioOptions }): ChildProcess {
  const nodeArgv = [...(options.nodeArgs ?? []), '--import', 'tsx', script, ...args]
  const pinned = options.cpu !== null && hasTaskset
  const child = pinned
    ? spawn('taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgv], { stdio: options.stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'], env: options.env ?? process.env })
    : spawn(process.execPath, nodeArgv, { stdio: options.stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'], env: options.env ?? process.env })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild (child: ChildProcess, graceMs = 3_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => { clearTimeout(timer); resolve() })
    child.kill('SIGTERM')
  })
}

export async function stopAllChildren (): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)))
}

const cleanups: Array<() => Promise<void>> = []
/** Runs `fn` after the children stopped when the run is interrupted (Ctrl-C, SIGTERM, a crash). */
export function onInterrupt (fn: () => Promise<void>): void {
  cleanups.push(fn)
}

async function shutdown (code: number): Promise<never> {
  await stopAllChildren()
  for (const fn of cleanups) await fn().catch((error: unknown) => process.stderr.write(`cleanup: ${String(error)}\n`))
  process.exit(code)
}

let guarded = false
/** Kills every child on exit, Ctrl-C, SIGTERM and crashes. */
export function guardChildren (): void {
  if (guarded) return
  guarded = true
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${children.size} child process(es)\n`)
      process.on(signal, () => {}) // a second Ctrl-C does not cut the cleanup short
      void shutdown(130)
    })
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error.stack ?? String(error)}\n`)
    void shutdown(1)
  })
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
    void shutdown(1)
  })
}

/** Waits for the first IPC message of a child, or fails if it exits or takes longer than `timeoutMs`. */
export function firstMessage<T> (child: ChildProcess, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`child ${child.pid} sent nothing within ${timeoutMs} ms`)) }, timeoutMs)
    const onMessage = (message: unknown) => { cleanup(); resolve(message as T) }
    const onExit = (code: number | null, signal: string | null) => { cleanup(); reject(new Error(`child ${child.pid} exited (${code ?? signal}) before answering`)) }
    const cleanup = () => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit) }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}
