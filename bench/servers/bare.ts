import Fastify from 'fastify'
import type { Build } from './configs.js'
import { guardedMe, USER } from './shared.js'

/** The ceiling: Fastify alone. `401`: a guard that answers our 401 body to requests without a cookie. */
export const build: Build = async (variant) => {
  const app = Fastify()
  if (variant === '401') guardedMe(app, (request) => request.headers.cookie !== undefined, () => USER)
  else app.get('/me', async () => USER)
  return { app }
}
