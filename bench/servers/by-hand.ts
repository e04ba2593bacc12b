import { randomBytes } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import Fastify, { type FastifyRequest } from 'fastify'
import type { Build } from './configs.js'
import { guardedMe, setupLogin, TOKENS, USER } from './shared.js'

/**
 * The floor of a server-side session, by hand: @fastify/cookie's signed cookie holding an id, and
 * a Map from id to session. No expiry, no store interface, no change detection.
 */
export const build: Build = async () => {
  const app = Fastify()
  await app.register(fastifyCookie, { secret: randomBytes(32).toString('hex') })
  const sessions = new Map<string, { user: typeof USER, tokens: typeof TOKENS }>()
  const sessionOf = (request: FastifyRequest) => {
    const raw = request.cookies.sid
    const unsigned = raw === undefined ? null : request.unsignCookie(raw)
    return unsigned?.valid === true && unsigned.value !== null ? sessions.get(unsigned.value) : undefined
  }
  const signIn = setupLogin(app, 'sid', async (request) => {
    const id = randomBytes(24).toString('base64url')
    sessions.set(id, { user: USER, tokens: TOKENS })
    ;(request as unknown as { newId: string }).newId = id
  })
  app.addHook('onSend', async (request, reply) => {
    const id = (request as unknown as { newId?: string }).newId
    if (id !== undefined) reply.setCookie('sid', id, { signed: true, path: '/', httpOnly: true, sameSite: 'lax' })
  })
  guardedMe(app, (request) => sessionOf(request) !== undefined, (request) => sessionOf(request)?.user)
  return { app, signIn }
}
