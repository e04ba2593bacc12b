import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import Fastify, { type FastifyPluginCallback, type FastifyRequest } from 'fastify'
import type { Build } from './configs.js'
import { guardedMe, setupLogin, TOKENS, USER } from './shared.js'

// Loaded untyped: its declarations give request.session another type than @fastify/session's,
// and both packages are compiled together here.
const fastifySecureSession = createRequire(import.meta.url)('@fastify/secure-session') as FastifyPluginCallback<{ key: Buffer, cookieName?: string, cookie?: Record<string, unknown> }>
const sessionOf = (request: FastifyRequest) => (request as unknown as { session: { get (key: string): unknown, set (key: string, value: unknown): void } }).session

/** @fastify/secure-session (stateless: the session encrypted into the cookie with libsodium) and a guard. */
export const build: Build = async () => {
  const app = Fastify()
  await app.register(fastifySecureSession, { key: randomBytes(32), cookieName: 'session', cookie: { path: '/', httpOnly: true, sameSite: 'lax' } })
  const signIn = setupLogin(app, 'session', (request) => {
    sessionOf(request).set('user', USER)
    sessionOf(request).set('tokens', TOKENS)
  })
  guardedMe(app, (request) => sessionOf(request).get('user') !== undefined, (request) => sessionOf(request).get('user'))
  return { app, signIn }
}
