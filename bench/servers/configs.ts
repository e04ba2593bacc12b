/** The HTTP configurations measured side by side. Each runs in its own server process. */
export interface BenchConfig {
  /** Stable id, used on the command line (`--configs`) and in raw results. */
  id: string
  /** Row label in the results table and chart. */
  label: string
  /** Which server module builds it (bench/servers/<server>.ts). */
  server: 'bare' | 'ours' | 'fastify-session' | 'passport' | 'secure-session' | 'by-hand'
  /** Options understood by that server module. */
  variant: string
  /** Whether the measured requests carry the signed-in cookie (else: no cookie, expecting 401). */
  signedIn: boolean
  /** Status every measured request must get. */
  expect: 200 | 401
  /** Needs the Redis server on 127.0.0.1:6379. */
  redis: boolean
  /** The baseline its ratio is also computed against (besides bare). */
  baseline?: string
}

export const CONFIGS: BenchConfig[] = [
  { id: 'bare', label: 'bare Fastify (no auth)', server: 'bare', variant: 'ok', signedIn: false, expect: 200, redis: false },
  { id: 'bare-401', label: 'bare Fastify, 401 answer', server: 'bare', variant: '401', signedIn: false, expect: 401, redis: false },
  { id: 'ours-memory', label: 'ours, signed in, memory store', server: 'ours', variant: 'memory', signedIn: true, expect: 200, redis: false },
  { id: 'ours-redis', label: 'ours, signed in, Redis store', server: 'ours', variant: 'redis', signedIn: true, expect: 200, redis: true },
  { id: 'ours-401', label: 'ours, no cookie (401)', server: 'ours', variant: 'memory', signedIn: false, expect: 401, redis: false, baseline: 'bare-401' },
  { id: 'session-defaults', label: '@fastify/session defaults + guard', server: 'fastify-session', variant: 'defaults', signedIn: true, expect: 200, redis: false },
  { id: 'session-lean', label: '@fastify/session rolling:false, saveUninit:false + guard', server: 'fastify-session', variant: 'lean', signedIn: true, expect: 200, redis: false },
  { id: 'session-redis', label: '@fastify/session defaults, Redis + guard', server: 'fastify-session', variant: 'redis', signedIn: true, expect: 200, redis: true },
  { id: 'session-redis-lean', label: '@fastify/session rolling:false, Redis + guard', server: 'fastify-session', variant: 'redis-lean', signedIn: true, expect: 200, redis: true },
  { id: 'passport', label: '@fastify/passport + @fastify/session', server: 'passport', variant: 'defaults', signedIn: true, expect: 200, redis: false },
  { id: 'by-hand', label: 'signed cookie + a Map lookup, by hand', server: 'by-hand', variant: 'defaults', signedIn: true, expect: 200, redis: false },
  { id: 'secure-session', label: '@fastify/secure-session + guard', server: 'secure-session', variant: 'defaults', signedIn: true, expect: 200, redis: false }
]

/** What a server process sends its parent once it listens. */
export interface ServerReady {
  port: number
  /** `name=value` of the signed-in session cookie, for configurations that sign in. */
  cookie: string | null
}

/** The Redis server used by the Redis configurations. */
export const REDIS = { host: '127.0.0.1', port: 6379 }
