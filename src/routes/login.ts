import type { FastifyInstance } from 'fastify'
import { loginPage } from '../pages/login-page.js'
import { sendPage } from '../pages/html.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

/** GET /login: the sign-in page; a signed-in user goes straight on to `returnTo`. */
export function loginRoute (app: FastifyInstance, { options, attempts, pages }: RouteContext): void {
  app.get<{ Querystring: { returnTo?: unknown } }>(options.routes.login, async (request, reply) => {
    const returnTo = safeReturnTo(request.query.returnTo)
    if (request.googleUser !== null) {
      return reply.header('cache-control', 'no-store').redirect(returnTo, 303)
    }
    attempts.bindBrowser(request, reply)
    const startUrl = returnTo === '/' ? options.routes.start : `${options.routes.start}?returnTo=${encodeURIComponent(returnTo)}`
    const html = typeof options.loginPage === 'function'
      ? await options.loginPage({ startUrl, returnTo, request })
      : loginPage(startUrl, pages.app)
    return sendPage(reply, 200, html)
  })
}
