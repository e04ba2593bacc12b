import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { DeviceBindingRoutes } from '../device-bound/types.js'
import { errorBody, loggedFailure } from '../http/error-reply.js'

/** The browser's own requests (never a page): a refusal is JSON, with the plugin's code, never a stack or a key. */
function answerFailure (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const failure = loggedFailure(error, request)
  return reply.code(failure.statusCode).header('cache-control', 'no-store').send(errorBody(failure, null))
}

/**
 * Device-bound sessions (DBSC), with the `deviceBound` option: `POST {prefix}/oauth2/google/dbsc/register`,
 * where the browser registers its key for the session it just signed in, and `…/dbsc/refresh`,
 * where it proves that key to renew the session's short-lived cookie. Both take no body.
 */
export function deviceBoundRoutes (app: FastifyInstance, paths: { register: string, refresh: string }, binding: DeviceBindingRoutes): void {
  const options = { bodyLimit: 1024, errorHandler: answerFailure }
  app.post(paths.register, options, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return await binding.register(request, reply)
  })
  app.post(paths.refresh, options, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return await binding.refresh(request, reply)
  })
}
