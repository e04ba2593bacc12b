import type { FastifyInstance } from 'fastify'
import { parseCookiesForTheApp } from '../http/cookies.js'
import type { Emit } from '../events.js'
import type { ResolvedOptions } from '../options.js'
import { useHostSessions } from './host-sessions.js'
import { registerLeanSessions } from './lean-sessions.js'
import type { Sessions } from './sessions.js'

/**
 * Picks the session implementation: the host's @fastify/session when it registered one, the
 * plugin's own lean sessions otherwise. Without the host's @fastify/cookie, the app still gets
 * `request.cookies` (and may register @fastify/cookie later: nothing is decorated for it).
 */
export async function registerSessions (fastify: FastifyInstance, options: ResolvedOptions, emit: Emit): Promise<{ sessions: Sessions, ownSession: boolean }> {
  parseCookiesForTheApp(fastify)
  if (fastify.hasPlugin('@fastify/session')) return { sessions: useHostSessions(fastify, options, emit), ownSession: false }
  return { sessions: registerLeanSessions(fastify, options, emit), ownSession: true }
}

export type { Sessions } from './sessions.js'
