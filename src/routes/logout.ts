import type { FastifyInstance, FastifyRequest } from 'fastify'
import { pluginError } from '../errors.js'
import { prefersHtml } from '../http/request-kind.js'
import { sendPage } from '../pages/html.js'
import { logoutPage } from '../pages/logout-page.js'
import type { RouteContext } from './context.js'

/**
 * Whether a state-changing request came from another origin than the app's, by `Sec-Fetch-Site`
 * (only `same-origin` and `none` pass, so a sibling subdomain does not), else by `Origin`; a
 * request with neither header passes.
 */
function isCrossSite (request: FastifyRequest, appOrigin: string): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = request.headers.origin
  return origin !== undefined && origin !== appOrigin
}

/** GET /logout shows a sign-out button; POST /logout signs out. */
export function logoutRoutes (app: FastifyInstance, { options, pages, signOut }: RouteContext): void {
  app.get(options.routes.logout, async (request, reply) => {
    const user = request.googleUser
    return sendPage(reply, 200, logoutPage(options.routes.logout, user === null ? null : (user.email ?? user.name ?? user.id), options.afterLogout, pages.app))
  })

  app.post(options.routes.logout, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    if (isCrossSite(request, options.appOrigin)) throw pluginError('CROSS_SITE_REQUEST', 'logout-cross-site')
    await signOut(request, reply)
    if (prefersHtml(request)) return reply.redirect(options.afterLogout, 303)
    return reply.code(204).send()
  })
}
