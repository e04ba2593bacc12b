import type { FastifyInstance, FastifyRequest } from 'fastify'
import { fail } from '../errors.js'
import { googleFailure } from '../google-client.js'
import { logoutPage } from '../pages/logout-page.js'
import { sendPage } from '../pages/html.js'
import { prefersHtml } from '../request-kind.js'
import type { RouteContext } from './context.js'
import { ROUTES } from './paths.js'

/** Refuses state-changing requests sent by another site (Sec-Fetch-Site, else Origin). */
export function isCrossSite (request: FastifyRequest, appOrigin: string): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = request.headers.origin
  return origin !== undefined && origin !== appOrigin
}

/** Revokes the user's Google token without holding up the sign-out; a failure is only logged. */
function revokeInBackground (request: FastifyRequest, { google }: RouteContext, token: string): void {
  google.revokeToken(token).then(
    () => request.log.debug('google token revoked at sign-out'),
    (error: unknown) => request.log.warn({ reason: googleFailure(error, 'revoke').reason }, 'could not revoke the google token at sign-out')
  )
}

/** GET /logout shows a sign-out button; POST /logout signs out. */
export function logoutRoutes (app: FastifyInstance, context: RouteContext): void {
  const { options } = context
  const logoutUrl = `${options.prefix}${ROUTES.logout}`

  app.get(ROUTES.logout, async (request, reply) => {
    const user = request.googleUser
    return sendPage(reply, 200, logoutPage(logoutUrl, user === null ? null : (user.email ?? user.name ?? user.id), options.afterLogout))
  })

  app.post(ROUTES.logout, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    if (isCrossSite(request, options.appOrigin)) throw fail('CROSS_SITE_REQUEST', 'logout-cross-site')
    const tokens = context.sessions.tokens(request)
    await context.sessions.signOut(request, reply)
    if (options.revokeOnLogout && tokens !== null) revokeInBackground(request, context, tokens.refreshToken ?? tokens.accessToken)
    if (prefersHtml(request)) return reply.redirect(options.afterLogout, 303)
    return reply.code(204).send()
  })
}
