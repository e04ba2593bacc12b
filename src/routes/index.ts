import type { FastifyInstance } from 'fastify'
import { createErrorHandler } from '../http/error-reply.js'
import { callbackRoute } from './callback.js'
import type { RouteContext } from './context.js'
import { loginRoute } from './login.js'
import { logoutRoutes } from './logout.js'
import { startRoute } from './start.js'

/** The plugin's routes, in their own encapsulated context (error handler and body parser stay here). */
export function routes (context: RouteContext) {
  return async function googleOAuthRoutes (app: FastifyInstance): Promise<void> {
    app.setErrorHandler(createErrorHandler(context.pages))
    // The sign-out form posts an empty urlencoded body; nothing in it is read.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, _body, done) => done(null, {}))
    if (context.options.loginPage !== false) loginRoute(app, context)
    startRoute(app, context)
    callbackRoute(app, context)
    logoutRoutes(app, context)
  }
}
