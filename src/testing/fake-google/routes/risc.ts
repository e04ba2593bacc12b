import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { secureUrl } from '../../../options/checks.js'
import type { FakeGoogleContext } from '../context.js'
import { deliverSecurityEvent, PUSH_DELIVERY, RISC_ISSUER } from '../risc.js'
import { JWKS_PATH } from './certs.js'

/** Cross-Account Protection's discovery document, as at `https://accounts.google.com/.well-known/risc-configuration`. */
export const RISC_CONFIGURATION_PATH = '/.well-known/risc-configuration'
/** The RISC API, as at `https://risc.googleapis.com/v1beta/…`. */
export const STREAM_UPDATE_PATH = '/v1beta/stream:update'
export const STREAM_PATH = '/v1beta/stream'
export const STREAM_VERIFY_PATH = '/v1beta/stream:verify'
export const STREAM_STATUS_PATH = '/v1beta/stream/status:update'

/** A path with a literal colon, as Fastify's router spells it (a single colon starts a parameter). */
const route = (path: string): string => path.replace(/:/g, '::')

/** Google's JSON error body. */
function apiError (reply: FastifyReply, code: number, status: string, message: string): FastifyReply {
  return reply.code(code).send({ error: { code, message, status } })
}

/** The RISC API takes a service account's JWT: anything else is 401, as at Google. */
function authorized (ctx: FakeGoogleContext, request: FastifyRequest, reply: FastifyReply): boolean {
  if (ctx.risc.authorized(request.headers.authorization, ctx.settings.now())) return true
  apiError(reply, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected a service account JWT for the RISC API.')
  return false
}

/**
 * The RISC discovery document, and the RISC API: `stream:update` registers the app's receiver,
 * `GET stream` reads it, `stream/status:update` turns it on or off, `stream:verify` pushes a
 * `verification` event with the given `state` (answered once the receiver answered).
 */
export function riscRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  app.get(RISC_CONFIGURATION_PATH, { config: { endpoint: 'discovery' } }, async (_request, reply) => reply.header('cache-control', 'public, max-age=3600').send({
    issuer: RISC_ISSUER,
    jwks_uri: ctx.baseUrl + JWKS_PATH,
    delivery_methods_supported: [PUSH_DELIVERY],
    configuration_endpoint: ctx.baseUrl + STREAM_UPDATE_PATH,
    verification_endpoint: ctx.baseUrl + STREAM_VERIFY_PATH
  }))

  app.post(route(STREAM_UPDATE_PATH), async (request, reply) => {
    if (!authorized(ctx, request, reply)) return reply
    const body = request.body as { delivery?: { delivery_method?: unknown, url?: unknown }, events_requested?: unknown } | null
    // https, or http on a loopback host (the fake's own leniency, for tests).
    const url = secureUrl(body?.delivery?.url)
    if (body?.delivery?.delivery_method !== PUSH_DELIVERY || url === null) {
      return apiError(reply, 400, 'INVALID_ARGUMENT', `delivery must be { delivery_method: '${PUSH_DELIVERY}', url: <https URL> }`)
    }
    const events = body.events_requested
    if (!Array.isArray(events) || events.some((event) => typeof event !== 'string')) {
      return apiError(reply, 400, 'INVALID_ARGUMENT', 'events_requested must be an array of event type URIs')
    }
    ctx.risc.stream = { url, eventsRequested: [...events as string[]], status: 'enabled' }
    return reply.send({})
  })

  app.get(STREAM_PATH, async (request, reply) => {
    if (!authorized(ctx, request, reply)) return reply
    const stream = ctx.risc.stream
    if (stream === null) return apiError(reply, 404, 'NOT_FOUND', 'No stream is configured for this project.')
    return reply.send({
      delivery: { delivery_method: PUSH_DELIVERY, url: stream.url },
      events_requested: stream.eventsRequested,
      events_delivered: stream.eventsRequested
    })
  })

  app.post(route(STREAM_STATUS_PATH), async (request, reply) => {
    if (!authorized(ctx, request, reply)) return reply
    const status = (request.body as { status?: unknown } | null)?.status
    if (ctx.risc.stream === null) return apiError(reply, 404, 'NOT_FOUND', 'No stream is configured for this project.')
    if (status !== 'enabled' && status !== 'disabled') return apiError(reply, 400, 'INVALID_ARGUMENT', 'status must be enabled or disabled')
    ctx.risc.stream = { ...ctx.risc.stream, status }
    return reply.send({ status })
  })

  app.post(route(STREAM_VERIFY_PATH), async (request, reply) => {
    if (!authorized(ctx, request, reply)) return reply
    const state = (request.body as { state?: unknown } | null)?.state
    if (ctx.risc.stream === null) return apiError(reply, 404, 'NOT_FOUND', 'No stream is configured for this project.')
    if (state !== undefined && typeof state !== 'string') return apiError(reply, 400, 'INVALID_ARGUMENT', 'state must be a string')
    const answer = await deliverSecurityEvent(ctx, { type: 'verification', ...(state !== undefined && { state }) })
    if (answer.status !== 202) return apiError(reply, 400, 'FAILED_PRECONDITION', `The receiver answered ${answer.status} to the verification event.`)
    return reply.send({})
  })
}
