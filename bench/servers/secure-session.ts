import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import Fastify, { type FastifyPluginCallback } from 'fastify'
import { setupLogin, setupSignIn } from './setup-login.js'
import type { BuildContext, BuiltServer } from './types.js'
import { benchTokens, benchUser, UNAUTHENTICATED_BODY } from './user.js'

/** The part of @fastify/secure-session's request.session used here. */
interface SecureSession {
  get (key: string): unknown
  set (key: string, value: unknown): void
}
type WithSecureSession = { session: SecureSession }

// Loaded untyped: its declarations give request.session another type than @fastify/session's,
// and both packages are compiled together in this folder.
const fastifySecureSession = createRequire(import.meta.url)('@fastify/secure-session') as FastifyPluginCallback<{ key: Buffer, cookieName?: string, cookie?: Record<string, unknown> }>

export const COOKIE_NAME = 'session'

/**
 * @fastify/secure-session (stateless: the session is encrypted into the cookie with libsodium)
 * and a guard preHandler: `request.session.get('user')`, else 401. The session holds the same
 * user and tokens as the others.
 */
export async function build (_context: BuildContext): Promise<BuiltServer> {
  const app = Fastify()
  await app.register(fastifySecureSession, { key: randomBytes(32), cookieName: COOKIE_NAME, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } })
  const user = benchUser()
  const tokens = benchTokens()
  setupLogin(app, (request) => {
    const session = (request as unknown as WithSecureSession).session
    session.set('user', user)
    session.set('tokens', tokens)
  })
  app.get('/me', {
    preHandler (request, reply, done) {
      reply.header('cache-control', 'no-store')
      if ((request as unknown as WithSecureSession).session.get('user') === undefined) {
        reply.code(401).header('content-type', 'application/json; charset=utf-8').send(UNAUTHENTICATED_BODY)
        return
      }
      done()
    }
  }, async (request) => (request as unknown as WithSecureSession).session.get('user'))
  return { app, signIn: (url) => setupSignIn(url, COOKIE_NAME) }
}
