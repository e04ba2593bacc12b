import type { FastifyInstance, RouteOptions, RouteShorthandOptions } from 'fastify'
import { createErrorHandler } from '../http/error-reply.js'
import type { ResolvedOptions, RouteAdditions } from '../options/resolved.js'
import type { SecurityEventReceiver } from '../risc/index.js'
import { callbackRoute } from './callback.js'
import { deviceBoundRoutes } from './device-bound.js'
import type { RouteContext } from './context.js'
import { loginRoute } from './login.js'
import { logoutRoutes } from './logout.js'
import { oneTapRoute } from './one-tap.js'
import { registerSecEventParser, riscRoute } from './risc.js'
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

/** A route's options with what the app added: its `config` under the route's own, its `onRequest` hooks first. */
function withAdditions<T extends RouteShorthandOptions> (own: T, added: RouteAdditions): T {
  if (Object.keys(added.config).length === 0 && added.onRequest.length === 0) return own
  return {
    ...own,
    config: { ...added.config, ...own.config },
    onRequest: [...added.onRequest, ...([] as unknown[]).concat(own.onRequest ?? [])]
  } as T
}

const SHORTHANDS = new Set<PropertyKey>(['get', 'head', 'post', 'put', 'delete', 'patch', 'options', 'all'])

/**
 * The routes' context as the route modules see it: every route they add carries the app's
 * `routeOptions` for it when it is added, where route-level plugins (@fastify/rate-limit) read them
 * in their `onRoute` hooks. (An `onRoute` hook of this context would run after theirs.)
 */
function withRouteOptions (app: FastifyInstance, { routes, routeOptions }: ResolvedOptions): FastifyInstance {
  const byPath = new Map<string, RouteAdditions>(Object.entries(routes).map(([name, path]) => [path, routeOptions[name as keyof typeof routes]]))
  const additionsFor = (path: string): RouteAdditions => byPath.get(path) ?? routeOptions.all
  return new Proxy(app, {
    get (target, key, receiver) {
      if (SHORTHANDS.has(key)) {
        const shorthand = Reflect.get(target, key) as (path: string, options: RouteShorthandOptions, handler: unknown) => FastifyInstance
        return (path: string, ...rest: unknown[]) => {
          const handler = rest.pop()
          return shorthand.call(target, path, withAdditions((rest[0] ?? {}) as RouteShorthandOptions, additionsFor(path)), handler)
        }
      }
      if (key === 'route') return (options: RouteOptions) => target.route(withAdditions(options, additionsFor(options.url)))
      return Reflect.get(target, key, receiver) as unknown
    }
  })
}

/**
 * The plugin's routes, in their own encapsulated context (error handler and body parsers stay
 * here); Cross-Account Protection's receiver with the `risc` option.
 */
export function routes (context: RouteContext, risc: SecurityEventReceiver | null = null) {
  return async function googleOAuthRoutes (instance: FastifyInstance): Promise<void> {
    instance.setErrorHandler(createErrorHandler(context.pages))
    // Forms: the sign-out button's (empty) and Google's button and One Tap posts. Only this context parses them.
    instance.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => done(null, parseForm(body as string)))
    const app = withRouteOptions(instance, context.options)
    if (context.options.loginPage !== false) loginRoute(app, context)
    startRoute(app, context)
    callbackRoute(app, context)
    logoutRoutes(app, context)
    if (context.oneTap !== null) oneTapRoute(app, context)
    const { dbscRegister, dbscRefresh } = context.options.routes
    if (context.sessions.deviceBinding !== undefined && dbscRegister !== undefined && dbscRefresh !== undefined) {
      deviceBoundRoutes(app, { register: dbscRegister, refresh: dbscRefresh }, context.sessions.deviceBinding)
    }
    if (risc !== null && context.options.routes.risc !== undefined) {
      registerSecEventParser(instance)
      riscRoute(app, context.options.routes.risc, risc)
    }
  }
}
