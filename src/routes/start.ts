import type { FastifyInstance } from 'fastify'
import { buildAuthorizationUrl } from '../google/authorization-url.js'
import { onAppHost } from '../http/app-host.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

/** Marks a start already sent to the callback's host, so that a proxy hiding the host cannot make a loop. */
const MOVED = 'moved'

/**
 * GET /oauth2/google: starts a sign-in attempt (state, nonce, PKCE S256) and sends the browser to
 * Google. Opened on another host than `callbackUrl`'s (localhost for 127.0.0.1, www. for the apex),
 * it first sends the browser to the same start on `callbackUrl`'s origin, so that the attempt's
 * cookie and the callback share a host. The Host header is only compared, never used in a URL.
 */
export function startRoute (app: FastifyInstance, { options, google, attempts, scopes, identity }: RouteContext): void {
  app.get<{ Querystring: { returnTo?: unknown, scope?: unknown, [MOVED]?: unknown } }>(options.routes.start, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    const returnTo = safeReturnTo(request.query.returnTo)
    // More scopes than the configured ones: only those the app asks for somewhere (requireScopes).
    const extra = scopes.read(request.query.scope)
    if (!onAppHost(request, options.appOrigin) && request.query[MOVED] === undefined) {
      request.log.debug({ reason: 'other-host' }, 'sign-in started on another host than the callback\'s: moved there')
      const query = new URLSearchParams({ ...(returnTo !== '/' && { returnTo }), ...(extra.length > 0 && { scope: extra.join(' ') }), [MOVED]: '1' })
      return reply.redirect(`${options.appOrigin}${options.routes.start}?${query.toString()}`, 302)
    }
    if (extra.length === 0) {
      return reply.redirect(buildAuthorizationUrl(google, options, attempts.begin(request, reply, returnTo)), 302)
    }
    // A grant of more scopes: for the signed-in account, if any (Google is told which with login_hint).
    const user = identity.byHeader(request) ? null : identity.user(request)
    const attempt = attempts.begin(request, reply, returnTo, { scopes: extra, ...(user !== null && { upgradeFor: user.id }) })
    return reply.redirect(buildAuthorizationUrl(google, options, attempt, { scopes: extra, loginHint: user === null ? null : user.email ?? user.id }), 302)
  })
}
