import type { FastifyInstance } from 'fastify'
import type { FakeGoogleContext } from '../context.js'
import { toParams } from '../params.js'

export const REVOCATION_PATH = '/revoke'

/**
 * `POST /revoke`, the token in the query (`?token=`) or the form body. Revoking any token of a
 * grant revokes the whole grant (every access and refresh token of that client and account).
 * Only POST is routed, so `GET /revoke` is a 404 as at Google.
 */
export function revocationRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  app.post(REVOCATION_PATH, { config: { endpoint: 'revocation' } }, async (request, reply) => {
    reply.header('cache-control', 'no-cache, no-store, max-age=0, must-revalidate')
    const token = toParams(request.query).token ?? toParams(request.body).token
    if (!token) return reply.code(400).send({ error: 'invalid_request', error_description: 'Bad Request' })
    if (!ctx.grants.revoke(token)) {
      return reply.code(400).send({ error: 'invalid_token', error_description: 'Token expired or revoked' })
    }
    return reply.code(200).send({})
  })
}
