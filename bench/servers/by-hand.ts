import { randomBytes } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import Fastify from 'fastify'
import { setupLogin, setupSignIn } from './setup-login.js'
import type { BuildContext, BuiltServer } from './types.js'
import { benchTokens, benchUser, UNAUTHENTICATED_BODY } from './user.js'

export const COOKIE_NAME = 'sid'

/**
 * The floor of a server-side session, written by hand: @fastify/cookie's signed cookie holding an
 * id, and a Map from id to session. No expiry, no store interface, no change detection.
 */
export async function build (_context: BuildContext): Promise<BuiltServer> {
  const app = Fastify()
  await app.register(fastifyCookie, { secret: randomBytes(32).toString('hex') })
  const sessions = new Map<string, { user: ReturnType<typeof benchUser>, tokens: ReturnType<typeof benchTokens> }>()
  const user = benchUser()
  const tokens = benchTokens()
  setupLogin(app, async (request) => {
    const id = randomBytes(24).toString('base64url')
    sessions.set(id, { user, tokens })
    ;(request as unknown as { newId: string }).newId = id
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    const id = (request as unknown as { newId?: string }).newId
    if (id !== undefined) reply.setCookie(COOKIE_NAME, id, { signed: true, path: '/', httpOnly: true, sameSite: 'lax' })
    done(null, payload)
  })
  app.get('/me', {
    preHandler (request, reply, done) {
      reply.header('cache-control', 'no-store')
      const raw = request.cookies[COOKIE_NAME]
      const unsigned = raw === undefined ? null : request.unsignCookie(raw)
      const session = unsigned?.valid === true && unsigned.value !== null ? sessions.get(unsigned.value) : undefined
      if (session === undefined) {
        reply.code(401).header('content-type', 'application/json; charset=utf-8').send(UNAUTHENTICATED_BODY)
        return
      }
      ;(request as unknown as { user: unknown }).user = session.user
      done()
    }
  }, async (request) => (request as unknown as { user: unknown }).user)
  return { app, signIn: (url) => setupSignIn(url, COOKIE_NAME) }
}
