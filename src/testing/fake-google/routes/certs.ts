import type { FastifyInstance, FastifyReply } from 'fastify'
import type { FakeGoogleContext } from '../context.js'

/** PEM map, as at `https://www.googleapis.com/oauth2/v1/certs` (what google-auth-library uses on Node). */
export const PEM_CERTS_PATH = '/oauth2/v1/certs'
/** JWK Set, as at `https://www.googleapis.com/oauth2/v3/certs`. */
export const JWKS_PATH = '/oauth2/v3/certs'

/** `GET /oauth2/v1/certs` and `GET /oauth2/v3/certs`: both published keys, with Google's caching headers. */
export function certsRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  const cached = (reply: FastifyReply): FastifyReply => {
    const maxAge = ctx.settings.certsMaxAge
    return reply
      .header('cache-control', `public, max-age=${maxAge}, must-revalidate, no-transform`)
      .header('expires', new Date(ctx.settings.now() + maxAge * 1000).toUTCString())
  }
  app.get(PEM_CERTS_PATH, { config: { endpoint: 'certs' } }, async (_request, reply) => cached(reply).send(ctx.keys.pemMap()))
  app.get(JWKS_PATH, { config: { endpoint: 'certs' } }, async (_request, reply) => cached(reply).send(ctx.keys.jwks()))
}
