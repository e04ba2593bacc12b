import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { errors } from './errors.js'
import { isPageNavigation } from './request-kind.js'

const UNAUTHENTICATED = new errors.UNAUTHENTICATED()

/**
 * `fastify.authenticate`: lets signed-in requests through; sends page navigations to the login
 * page (with `returnTo`) and answers API requests 401 JSON. It trusts only the server-side
 * session. Protected responses are never cached.
 */
export function createGuard (loginUrl: string) {
  const separator = loginUrl.includes('?') ? '&' : '?'
  const body = JSON.stringify({
    statusCode: 401,
    code: UNAUTHENTICATED.code,
    error: 'Unauthorized',
    message: UNAUTHENTICATED.message,
    loginUrl
  })

  return function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    reply.header('cache-control', 'no-store')
    if (request.googleUser !== null) {
      done()
      return
    }
    request.log.debug({ reason: 'no-signed-in-user' }, 'guard refused request')
    if (isPageNavigation(request)) {
      reply.redirect(`${loginUrl}${separator}returnTo=${encodeURIComponent(request.url)}`, 302)
      return
    }
    reply.code(401).header('content-type', 'application/json; charset=utf-8').send(body)
  }
}
