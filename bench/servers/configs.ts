import type { FastifyInstance } from 'fastify'

/** One server measured side by side with the others, each in its own process. */
export interface BenchConfig {
  /** Stable id, used on the command line (`--configs`). */
  id: string
  label: string
  /** The module in bench/servers/ that builds it, and the variant it builds. */
  server: 'bare' | 'ours' | 'fastify-session' | 'passport' | 'secure-session' | 'by-hand'
  variant: string
  /** Whether measured requests carry the signed-in cookie (else none, expecting 401). */
  signedIn: boolean
  expect: 200 | 401
  redis: boolean
  /** Also compared with this configuration (besides bare). */
  baseline?: string
  /** Run its server's probe first. */
  probe?: true
}

export const CONFIGS: BenchConfig[] = [
  { id: 'bare', label: 'bare Fastify (no auth)', server: 'bare', variant: 'ok', signedIn: false, expect: 200, redis: false },
  { id: 'bare-hooks', label: 'bare Fastify + a no-op onRequest hook and guard', server: 'bare', variant: 'hooks', signedIn: false, expect: 200, redis: false },
  { id: 'bare-401', label: 'bare Fastify, 401 answer', server: 'bare', variant: '401', signedIn: false, expect: 401, redis: false },
  { id: 'ours-memory', label: 'ours, signed in, memory store', server: 'ours', variant: 'memory', signedIn: true, expect: 200, redis: false },
  { id: 'ours-redis', label: 'ours, signed in, a @fastify/session Redis store', server: 'ours', variant: 'redis', signedIn: true, expect: 200, redis: true },
  { id: 'ours-redis-store', label: 'ours, signed in, its own Redis store (near cache)', server: 'ours', variant: 'redis-store', signedIn: true, expect: 200, redis: true },
  { id: 'bare-bearer', label: 'bare Fastify, sent a Bearer ID token it ignores', server: 'bare', variant: 'bearer', signedIn: true, expect: 200, redis: false },
  { id: 'ours-bearer', label: 'ours, Bearer ID token (verified once, cached)', server: 'ours', variant: 'bearer', signedIn: true, expect: 200, redis: false, baseline: 'bare-bearer', probe: true },
  { id: 'ours-401', label: 'ours, no cookie (401)', server: 'ours', variant: 'memory', signedIn: false, expect: 401, redis: false, baseline: 'bare-401' },
  { id: 'session-defaults', label: '@fastify/session defaults + guard', server: 'fastify-session', variant: 'defaults', signedIn: true, expect: 200, redis: false },
  { id: 'session-lean', label: '@fastify/session rolling:false, saveUninit:false + guard', server: 'fastify-session', variant: 'lean', signedIn: true, expect: 200, redis: false },
  { id: 'session-redis', label: '@fastify/session defaults, Redis + guard', server: 'fastify-session', variant: 'redis', signedIn: true, expect: 200, redis: true },
  { id: 'session-redis-lean', label: '@fastify/session rolling:false, Redis + guard', server: 'fastify-session', variant: 'redis-lean', signedIn: true, expect: 200, redis: true },
  { id: 'passport', label: '@fastify/passport + @fastify/session', server: 'passport', variant: 'defaults', signedIn: true, expect: 200, redis: false },
  { id: 'by-hand', label: 'signed cookie + a Map lookup, by hand', server: 'by-hand', variant: 'defaults', signedIn: true, expect: 200, redis: false },
  { id: 'secure-session', label: '@fastify/secure-session + guard', server: 'secure-session', variant: 'defaults', signedIn: true, expect: 200, redis: false }
]

/** The Redis server of the Redis configurations. */
export const REDIS = { host: '127.0.0.1', port: 6379 }

/** What a server module builds: an app, and how to get its signed-in credential (through `app.inject`). */
export interface BuiltServer {
  app: FastifyInstance
  /** The value of the credential header (`Cookie` unless `header` says otherwise). */
  signIn?: () => Promise<string>
  header?: 'cookie' | 'authorization'
  /** A measurement for the report's notes, made in a process of its own (`main.ts … probe`). */
  probe?: () => Promise<string>
  /** Releases what the app holds besides itself (fake Google, Redis keys). */
  close?: () => Promise<void>
}

export type Build = (variant: string, redisPrefix: string) => Promise<BuiltServer>
