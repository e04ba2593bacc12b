import fastifyCookie from '@fastify/cookie'
import fastifySession, { type SessionStore } from '@fastify/session'
import Fastify from 'fastify'
import { redisStore } from './redis.js'
import type { BuildContext, BuiltServer } from './types.js'
import { benchTokens, benchUser, UNAUTHENTICATED_BODY } from './user.js'
import { setupLogin, setupSignIn } from './setup-login.js'

declare module 'fastify' {
  interface Session {
    user?: ReturnType<typeof benchUser>
    tokens?: ReturnType<typeof benchTokens>
  }
}

export const SECRET = 'a-benchmark-session-secret-of-at-least-32-chars'

/**
 * @fastify/session and a guard preHandler: `request.session.get('user')`, else 401.
 * `defaults`: its defaults (MemoryStore, rolling, saveUninitialized); `lean`: rolling: false,
 * saveUninitialized: false; `redis` / `redis-lean`: the same on fastify-session-redis-store.
 * Only `cookie.secure` is changed from its default (true), because the benchmark speaks plain
 * http: behind TLS the default behaves as `false` does here.
 */
export async function build ({ variant, redisPrefix }: BuildContext): Promise<BuiltServer> {
  const lean = variant.endsWith('lean')
  const redis = variant.startsWith('redis') ? await redisStore(redisPrefix) : null
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: SECRET,
    cookie: { secure: false },
    ...(redis !== null && { store: redis.store as unknown as SessionStore }),
    ...(lean && { rolling: false, saveUninitialized: false })
  })
  const user = benchUser()
  const tokens = benchTokens()
  setupLogin(app, (request) => {
    request.session.set('user', user)
    request.session.set('tokens', tokens)
  })
  app.get('/me', {
    preHandler (request, reply, done) {
      reply.header('cache-control', 'no-store')
      if (request.session.get('user') === undefined) {
        reply.code(401).header('content-type', 'application/json; charset=utf-8').send(UNAUTHENTICATED_BODY)
        return
      }
      done()
    }
  }, async (request) => request.session.get('user'))
  return { app, signIn: (url) => setupSignIn(url, 'sessionId'), ...(redis !== null && { close: redis.close }) }
}
