import type { FastifyInstance } from 'fastify'
import { prefersHtml } from '../http/request-kind.js'
import { sendPage } from '../pages/html.js'
import { logoutPage } from '../pages/logout-page.js'
import type { RouteContext } from './context.js'

/** GET /logout shows a sign-out button; POST /logout signs out, for requests from the app's own origin only. */
export function logoutRoutes (app: FastifyInstance, { options, pages, signOut, sameOrigin }: RouteContext): void {
  app.get(options.routes.logout, async (request, reply) => {
    const user = request.googleUser
    return sendPage(reply, 200, logoutPage(options.routes.logout, user === null ? null : (user.email ?? user.name ?? user.id), options.afterLogout, pages.app))
  })

  // Checked on arrival, before the body is read.
  app.post(options.routes.logout, { onRequest: [sameOrigin] }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    await signOut(request, reply)
    if (prefersHtml(request)) return reply.redirect(options.afterLogout, 303)
    return reply.code(204).send()
  })
}
