import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { fail } from '../errors.js'
import { logoutPage } from '../pages/logout-page.js'
import { sendPage } from '../pages/html.js'
import { prefersHtml } from '../request-kind.js'
import { forgetUser } from '../session.js'
import type { RouteContext } from './context.js'
import { ROUTES } from './paths.js'

/** Refuses state-changing requests sent by another site (Sec-Fetch-Site, else Origin). */
export function isCrossSite (request: FastifyRequest, appOrigin: string): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = request.headers.origin
  return origin !== undefined && origin !== appOrigin
}

async function endSession (request: FastifyRequest, reply: FastifyReply, context: RouteContext): Promise<void> {
  const session = request.session
  if (!session || typeof session.destroy !== 'function') return
  try {
    if (context.ownSession) {
      await session.destroy()
      reply.clearCookie(context.options.cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure: context.options.secure })
    } else {
      // The host owns the session: only take our data out of it.
      forgetUser(session)
    }
  } catch (error) {
    throw fail('SESSION_STORE_UNAVAILABLE', (error as { reason?: string }).reason ?? 'store-destroy-failed')
  }
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
    await endSession(request, reply, context)
    if (prefersHtml(request)) return reply.redirect(options.afterLogout, 303)
    return reply.code(204).send()
  })
}
