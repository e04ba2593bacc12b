import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { pluginError } from '../errors.js'
import { loggedFailure } from '../http/error-reply.js'
import type { SecurityEventReceiver } from '../risc/index.js'
import { setErrorBody, verifySecurityEvent } from '../risc/verify.js'

/** The media type of a pushed security event token (RFC 8935 §2). */
export const SECEVENT_TYPE = 'application/secevent+jwt'

/** Most bytes of a delivery: a security event token is about 1 KB. */
export const SECEVENT_BODY_LIMIT = 64 * 1024

/** The request's media type, without parameters, in lower case. */
const mediaType = (request: FastifyRequest): string => (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()

/**
 * RFC 8935's answers: a refusal is JSON `{ err, description }` (with the plugin's `code`), 400 for
 * a token refused, 413 / 415 for a body too large or of another type, 5xx when Google's
 * configuration or the store could not be read (Google then delivers again). Never the token.
 */
function answerFailure (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const failure = loggedFailure(error, request)
  return reply.code(failure.statusCode).header('cache-control', 'no-store').send(setErrorBody(failure))
}

/**
 * `POST {prefix}/oauth2/google/risc`: Google's Cross-Account Protection pushes security event
 * tokens here. A verified token is acted on once (by its `jti`) and answered 202; a redelivery is
 * answered 202 and not acted on again.
 */
export function riscRoute (app: FastifyInstance, path: string, receiver: SecurityEventReceiver): void {
  app.post(path, {
    bodyLimit: SECEVENT_BODY_LIMIT,
    errorHandler: answerFailure,
    // Checked on arrival, before the body is read: only a security event token is taken.
    onRequest: async (request) => {
      if (mediaType(request) !== SECEVENT_TYPE) throw pluginError('SECURITY_EVENT_CONTENT_TYPE', 'content-type')
    }
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    const token = typeof request.body === 'string' ? request.body.trim() : ''
    if (token === '') throw pluginError('SECURITY_EVENT_MALFORMED', 'empty-body')
    const events = await verifySecurityEvent(token, await receiver.configuration(), receiver.audiences)
    const first = await receiver.actions.handle(events, request)
    request.log.debug({ events: events.map((event) => event.type), redelivery: !first }, 'security event accepted')
    return reply.code(202).send()
  })
}

/** Parses security event tokens as text, in the plugin's routes' context only, bounded like the route. */
export function registerSecEventParser (app: FastifyInstance): void {
  // The app's own parser for the type (inherited) is left to the app's routes: this context's copy is replaced.
  if (app.hasContentTypeParser(SECEVENT_TYPE)) app.removeContentTypeParser(SECEVENT_TYPE)
  app.addContentTypeParser(SECEVENT_TYPE, { parseAs: 'string', bodyLimit: SECEVENT_BODY_LIMIT }, (_request, body, done) => { done(null, body) })
}
