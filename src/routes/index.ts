import type { FastifyInstance } from 'fastify'
import { createErrorHandler } from '../http/error-reply.js'
import { callbackRoute } from './callback.js'
import type { RouteContext } from './context.js'
import { loginRoute } from './login.js'
import { logoutRoutes } from './logout.js'
import { oneTapRoute } from './one-tap.js'
import { startRoute } from './start.js'

/** A urlencoded body: one string per field, an array for a repeated one (which readers refuse). */
function parseForm (body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = Object.create(null)
  for (const [name, value] of new URLSearchParams(body)) {
    const known = fields[name]
    fields[name] = known === undefined ? value : ([] as string[]).concat(known, value)
  }
  return fields
}

/** The plugin's routes, in their own encapsulated context (error handler and body parser stay here). */
export function routes (context: RouteContext) {
  return async function googleOAuthRoutes (app: FastifyInstance): Promise<void> {
    app.setErrorHandler(createErrorHandler(context.pages))
    // Forms: the sign-out button's (empty) and Google's button and One Tap posts. Only this context parses them.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => done(null, parseForm(body as string)))
    if (context.options.loginPage !== false) loginRoute(app, context)
    startRoute(app, context)
    callbackRoute(app, context)
    logoutRoutes(app, context)
    if (context.oneTap !== null) oneTapRoute(app, context)
  }
}
