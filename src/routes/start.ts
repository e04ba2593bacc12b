import type { FastifyInstance } from 'fastify'
import { buildAuthorizationUrl } from '../google/authorization-url.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

/** GET /oauth2/google: starts a sign-in attempt (state, nonce, PKCE S256) and sends the browser to Google. */
export function startRoute (app: FastifyInstance, { options, google, attempts }: RouteContext): void {
  app.get<{ Querystring: { returnTo?: unknown } }>(options.routes.start, async (request, reply) => {
    const attempt = attempts.begin(request, reply, safeReturnTo(request.query.returnTo))
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(buildAuthorizationUrl(google, options, attempt), 302)
  })
}
