import Fastify from 'fastify'
import { startFakeGoogle } from 'fastify-google-oauth/testing'
import type { Build } from './configs.js'
import { guardedMe, USER } from './shared.js'

/** The ceiling: Fastify alone. `401`: our 401 body without a cookie. `hooks`: an empty onRequest hook and guard. `bearer`: sent an ID token it ignores. */
export const build: Build = async (variant) => {
  const app = Fastify()
  if (variant === '401') guardedMe(app, (request) => request.headers.cookie !== undefined, () => USER)
  else if (variant === 'hooks') {
    // The least any session plugin adds: a hook on every request and a guard on the route (no work in either).
    app.addHook('onRequest', (_request, _reply, done) => { done() })
    guardedMe(app, () => true, () => USER)
  } else app.get('/me', async () => USER)
  if (variant !== 'bearer') return { app }
  const google = await startFakeGoogle()
  return { app, header: 'authorization', signIn: async () => `Bearer ${google.idTokenFor('ada@example.com')}`, close: () => google.close() }
}
