import fastifyCookie from '@fastify/cookie'
import fastifySession, { type SessionStore } from '@fastify/session'
import Fastify from 'fastify'
import type { Build } from './configs.js'
import { guardedMe, redisStore, setupLogin, TOKENS, USER } from './shared.js'

declare module 'fastify' {
  interface Session {
    user?: typeof USER
    tokens?: typeof TOKENS
  }
}

export const SECRET = 'a-benchmark-session-secret-of-at-least-32-chars'

/**
 * @fastify/session and a guard: `defaults` (MemoryStore, rolling, saveUninitialized), `lean`
 * (rolling: false, saveUninitialized: false), `redis` / `redis-lean` the same on a RedisStore.
 * Only `cookie.secure` differs from its defaults: the benchmark speaks plain http.
 */
export const build: Build = async (variant, redisPrefix) => {
  const redis = variant.startsWith('redis') ? await redisStore(redisPrefix) : null
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, {
    secret: SECRET,
    cookie: { secure: false },
    ...(redis !== null && { store: redis.store as unknown as SessionStore }),
    ...(variant.endsWith('lean') && { rolling: false, saveUninitialized: false })
  })
  const signIn = setupLogin(app, 'sessionId', (request) => {
    request.session.set('user', USER)
    request.session.set('tokens', TOKENS)
  })
  guardedMe(app, (request) => request.session.get('user') !== undefined, (request) => request.session.get('user'))
  return { app, signIn, ...(redis !== null && { close: redis.close }) }
}
