import type { FastifyInstance } from 'fastify'
import type { Emit } from '../events.js'
import type { ResolvedOptions } from '../options.js'
import { useHostSessions } from './host-sessions.js'
import { registerLeanSessions } from './lean-sessions.js'
import type { Sessions } from './sessions.js'

/**
 * Picks the session implementation: the host's @fastify/session when it registered one, the
 * plugin's own lean sessions otherwise (which, without the host's @fastify/cookie, also give the
 * app `request.cookies`; the app may register @fastify/cookie later: nothing is decorated for it).
 */
export function registerSessions (fastify: FastifyInstance, options: ResolvedOptions, emit: Emit): Sessions {
  return fastify.hasPlugin('@fastify/session') ? useHostSessions(fastify, options, emit) : registerLeanSessions(fastify, options, emit)
}

export type { Sessions } from './sessions.js'
