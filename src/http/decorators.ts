import type { Server } from 'node:http'
import type { FastifyInstance, RouteOptions } from 'fastify'
import { pluginError } from '../errors.js'

/** Marks the guards this plugin makes with the server of the app they belong to. */
export const kGuardOf = Symbol('fastify-google-oauth.guardOf')

/** Marks `guard` as belonging to the app of `server` (see `checkGuardedRoutes`). */
export const ownedBy = <T extends object>(server: Server, guard: T): T => Object.assign(guard, { [kGuardOf]: server })

/** Servers the plugin is registered on: once per app, whatever the context. */
const registered = new WeakSet<object>()

/**
 * Fails the registration, saying why and what to do, when the plugin is registered a second time
 * on this app (in the same context or another one) or a name it adds is taken.
 */
export function claimNames (fastify: FastifyInstance, authenticateName: string | false): void {
  if (fastify.hasDecorator('googleOAuth') || registered.has(fastify.server)) {
    throw pluginError('ALREADY_REGISTERED', 'registered-twice')
  }
  if (authenticateName !== false && fastify.hasDecorator(authenticateName)) {
    throw pluginError('INVALID_OPTION', undefined, `fastify.${authenticateName} already exists (an app following @fastify/jwt's recipe has one). Pass authenticateDecorator: 'googleAuthenticate' (or false) to fastify-google-oauth, and guard routes with fastify.googleOAuth.authenticate.`)
  }
  for (const name of ['googleUser', 'googleAuth', 'googleTokens']) {
    if (fastify.hasRequestDecorator(name)) {
      throw pluginError('INVALID_OPTION', undefined, `request.${name} already exists: another plugin added it, and fastify-google-oauth needs that name. Rename the other decorator.`)
    }
  }
  registered.add(fastify.server)
}

const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const

/** The routes (method and url) whose hooks include `guard`. */
function routesUsing (fastify: FastifyInstance, guard: unknown): string[] {
  const found: string[] = []
  fastify.addHook('onRoute', (route: RouteOptions) => {
    // (A GET route's HEAD twin is not named again.)
    if (route.method !== 'HEAD' && HOOKS.some((name) => ([] as unknown[]).concat(route[name] ?? []).includes(guard))) found.push(`${String(route.method)} ${route.url}`)
  })
  return found
}

/**
 * Fails at startup when a route uses a guard whose option is off (it would refuse every request):
 * the message names the routes and the option to give.
 */
export function refuseGuardWithout (fastify: FastifyInstance, guard: unknown, name: string, option: string): void {
  const routes = routesUsing(fastify, guard)
  fastify.addHook('onReady', async () => {
    if (routes.length > 0) throw pluginError('INVALID_OPTION', 'guard-without-option', `fastify.googleOAuth.${name} guards ${routes.join(', ')}, but it needs the option ${option}, which is off: every request would be refused. Pass ${option} to fastify-google-oauth, or use authenticate.`)
  })
}

/**
 * At startup, refuses routes guarded by one of the plugin's guards of another app (`authenticate`
 * and `requireScopes` would read another app's sessions, `sameOrigin` compare with another app's
 * origin). What cannot be seen here: a route given `preHandler: app.authenticate` while
 * it was still undefined (give hooks as an array: Fastify refuses `[undefined]`).
 */
export function checkGuardedRoutes (fastify: FastifyInstance): void {
  const foreign: string[] = []
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const name of HOOKS) {
      const hooks = ([] as unknown[]).concat(route[name] ?? [])
      const alien = hooks.some((hook) => {
        const owner = (hook as { [kGuardOf]?: Server } | null)?.[kGuardOf]
        return owner !== undefined && owner !== fastify.server
      })
      if (alien) foreign.push(`${String(route.method)} ${route.url}`)
    }
  })
  fastify.addHook('onReady', async () => {
    if (foreign.length > 0) throw pluginError('FOREIGN_GUARD', 'foreign-guard', foreign.join(', '))
  })
}
