import fastifyCookie from '@fastify/cookie'
import fastifyPassport from '@fastify/passport'
import fastifySession from '@fastify/session'
import Fastify, { type FastifyRequest } from 'fastify'
import { SECRET } from './fastify-session.js'
import { setupLogin, setupSignIn } from './setup-login.js'
import type { BuildContext, BuiltServer } from './types.js'
import { benchUser, UNAUTHENTICATED_BODY } from './user.js'

type User = ReturnType<typeof benchUser>

/** A strategy that signs in the one benchmark user (stands for the Google strategy's callback). */
class BenchStrategy extends fastifyPassport.Strategy {
  constructor (private readonly user: User) { super('bench') }
  override authenticate (_request: FastifyRequest): void {
    this.success(this.user)
  }
}

/**
 * @fastify/passport on @fastify/session (its defaults; `cookie.secure: false` for plain http):
 * the session holds the user id (serializer), the deserializer looks the user up in a Map, and
 * GET /me is guarded by `request.isAuthenticated()`.
 */
export async function build (_context: BuildContext): Promise<BuiltServer> {
  const user = benchUser()
  const users = new Map([[user.id, user]])
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SECRET, cookie: { secure: false } })
  await app.register(fastifyPassport.initialize())
  await app.register(fastifyPassport.secureSession())
  fastifyPassport.use('bench', new BenchStrategy(user))
  fastifyPassport.registerUserSerializer(async (u: User) => u.id)
  fastifyPassport.registerUserDeserializer(async (id: string) => users.get(id) ?? null)

  app.register(async (scope) => {
    scope.addHook('preValidation', fastifyPassport.authenticate('bench'))
    setupLogin(scope, () => {})
  })
  app.get('/me', {
    preHandler (request, reply, done) {
      reply.header('cache-control', 'no-store')
      if (!request.isAuthenticated()) {
        reply.code(401).header('content-type', 'application/json; charset=utf-8').send(UNAUTHENTICATED_BODY)
        return
      }
      done()
    }
  }, async (request) => request.user)
  return { app, signIn: (url) => setupSignIn(url, 'sessionId') }
}
