import Fastify from 'fastify'
import type { BuildContext, BuiltServer } from './types.js'
import { benchUser, UNAUTHENTICATED_BODY } from './user.js'

/**
 * The ceiling: Fastify alone. `ok`: GET /me answers the user JSON. `401`: a preHandler answers
 * our guard's 401 body to requests without a cookie (what a guard costs with no session work).
 */
export async function build ({ variant }: BuildContext): Promise<BuiltServer> {
  const app = Fastify()
  const user = benchUser()
  if (variant === '401') {
    app.get('/me', {
      preHandler (request, reply, done) {
        reply.header('cache-control', 'no-store')
        if (request.headers.cookie === undefined) {
          reply.code(401).header('content-type', 'application/json; charset=utf-8').send(UNAUTHENTICATED_BODY)
          return
        }
        done()
      }
    }, async () => user)
  } else {
    app.get('/me', async () => user)
  }
  return { app }
}
