import fastifyCookie from '@fastify/cookie'
import type { FastifyInstance } from 'fastify'
import type { ResolvedOptions } from '../options.js'
import { useHostSessions } from './host-sessions.js'
import { registerLeanSessions } from './lean-sessions.js'
import type { Sessions } from './sessions.js'

/**
 * Registers @fastify/cookie unless the host has it, and picks the session implementation: the
 * host's @fastify/session when it registered one, the plugin's own lean sessions otherwise.
 */
export async function registerSessions (fastify: FastifyInstance, options: ResolvedOptions): Promise<{ sessions: Sessions, ownSession: boolean }> {
  // Without the parsing hook: the plugin reads its one cookie itself (see http/cookies.ts).
  if (!fastify.hasPlugin('@fastify/cookie')) await fastify.register(fastifyCookie, { hook: false })
  if (fastify.hasPlugin('@fastify/session')) return { sessions: useHostSessions(fastify, options), ownSession: false }
  return { sessions: registerLeanSessions(fastify, options), ownSession: true }
}

export type { Sessions, SessionStatus } from './sessions.js'
