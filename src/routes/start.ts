import type { FastifyInstance } from 'fastify'
import { buildAuthorizationUrl } from '../google/authorization-url.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

/** The host a request was sent to, normalised as a URL's (lower case, no default port). */
function hostOf (protocol: string, host: string): string {
  try {
    return new URL(`${protocol}://${host}`).host
  } catch {
    return ''
  }
}

/** Marks a start already sent to the callback's host, so that a proxy hiding the host cannot make a loop. */
const MOVED = 'moved'

/**
 * GET /oauth2/google: starts a sign-in attempt (state, nonce, PKCE S256) and sends the browser to
 * Google. Opened on another host than `callbackUrl`'s (localhost for 127.0.0.1, www. for the apex),
 * it first sends the browser to the same start on `callbackUrl`'s origin, so that the attempt's
 * cookie and the callback share a host. The Host header is only compared, never used in a URL.
 */
export function startRoute (app: FastifyInstance, { options, google, attempts }: RouteContext): void {
  const appHost = new URL(options.appOrigin).host
  app.get<{ Querystring: { returnTo?: unknown, [MOVED]?: unknown } }>(options.routes.start, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    const returnTo = safeReturnTo(request.query.returnTo)
    if (hostOf(request.protocol, request.host) !== appHost && request.query[MOVED] === undefined) {
      request.log.debug({ reason: 'other-host' }, 'sign-in started on another host than the callback\'s: moved there')
      const query = new URLSearchParams({ ...(returnTo !== '/' && { returnTo }), [MOVED]: '1' })
      return reply.redirect(`${options.appOrigin}${options.routes.start}?${query.toString()}`, 302)
    }
    const attempt = attempts.begin(request, reply, returnTo)
    return reply.redirect(buildAuthorizationUrl(google, options, attempt), 302)
  })
}
