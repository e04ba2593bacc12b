import type { Server } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { fail } from '../errors.js'
import type { Sessions } from '../session/sessions.js'
import { kGuardOf } from './decorators.js'
import { errorBody, sendError, type ErrorPages } from './error-reply.js'
import { isPageNavigation } from './request-kind.js'

/**
 * `fastify.authenticate`: lets signed-in requests through; sends page navigations to the login
 * page (with `returnTo`) and answers API requests 401 JSON. It trusts only the server-side
 * session. Protected responses are never cached.
 */
export function createGuard (sessions: Sessions, pages: ErrorPages, server: Server) {
  const { loginUrl } = pages
  const separator = loginUrl.includes('?') ? '&' : '?'
  // The 401 answer is the same for every request: serialized once.
  const body = JSON.stringify(errorBody(fail('UNAUTHENTICATED'), loginUrl))

  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    reply.header('cache-control', 'no-store')
    const status = sessions.status(request)
    if (status === 'signed-in') {
      done()
      return
    }
    if (status === 'store-unavailable') {
      sendError(request, reply, fail('SESSION_STORE_UNAVAILABLE', 'guard'), pages)
      return
    }
    request.log.debug({ reason: 'no-signed-in-user' }, 'guard refused request')
    if (isPageNavigation(request)) {
      reply.redirect(`${loginUrl}${separator}returnTo=${encodeURIComponent(request.url)}`, 302)
      return
    }
    reply.code(401).header('content-type', 'application/json; charset=utf-8').send(body)
  }
  // The app it belongs to: a route of another app using it is refused at startup.
  return Object.assign(authenticate, { [kGuardOf]: server })
}
