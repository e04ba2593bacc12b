import fastifyCookie from '@fastify/cookie'
import fastifyPassport from '@fastify/passport'
import fastifySession from '@fastify/session'
import Fastify from 'fastify'
import type { Build } from './configs.js'
import { SECRET } from './fastify-session.js'
import { guardedMe, setupLogin, USER } from './shared.js'

/** A strategy that signs in the one benchmark user (it stands for the Google strategy's callback). */
class BenchStrategy extends fastifyPassport.Strategy {
  constructor () { super('bench') }
  override authenticate (): void { this.success(USER) }
}

/**
 * @fastify/passport on @fastify/session (its defaults, `cookie.secure: false`): the session holds
 * the user id, the deserializer looks the user up in a Map, the guard is `request.isAuthenticated()`.
 */
export const build: Build = async () => {
  const users = new Map([[USER.id, USER]])
  const app = Fastify()
  await app.register(fastifyCookie)
  await app.register(fastifySession, { secret: SECRET, cookie: { secure: false } })
  await app.register(fastifyPassport.initialize())
  await app.register(fastifyPassport.secureSession())
  fastifyPassport.use('bench', new BenchStrategy())
  fastifyPassport.registerUserSerializer(async (user: typeof USER) => user.id)
  fastifyPassport.registerUserDeserializer(async (id: string) => users.get(id) ?? null)
  let signIn: () => Promise<string> = async () => ''
  await app.register(async (scope) => {
    scope.addHook('preValidation', fastifyPassport.authenticate('bench'))
    signIn = setupLogin(scope, 'sessionId', () => {})
  })
  guardedMe(app, (request) => request.isAuthenticated(), (request) => request.user)
  return { app, signIn: () => signIn() }
}
