import type { onRequestHookHandler } from 'fastify'
import type { RoutePaths } from '../types.js'
import { invalid, show } from './checks.js'
import { settings, type Reader } from './readers.js'
import type { RouteAdditions } from './resolved.js'

/** A route's `config`: a plain object, copied. */
const config: Reader<Readonly<Record<string, unknown>>> = (value, name) => {
  if (value === undefined) return {}
  const prototype = typeof value === 'object' && value !== null ? Object.getPrototypeOf(value) as unknown : undefined
  if (prototype !== Object.prototype && prototype !== null) {
    throw invalid(`options.${name} must be an object of route settings such as { rateLimit: { max: 10, timeWindow: '1 minute' } } (got ${show(value)}).`)
  }
  return { ...value as Record<string, unknown> }
}

/** A route's `onRequest`: a hook or an array of them. */
const onRequest: Reader<readonly onRequestHookHandler[]> = (value, name) => {
  if (value === undefined) return []
  const hooks: unknown[] = Array.isArray(value) ? value : [value]
  if (hooks.some((hook) => typeof hook !== 'function')) {
    throw invalid(`options.${name} must be an onRequest hook, (request, reply) => …, or an array of them (got ${show(value)}).`)
  }
  return Object.freeze(hooks as onRequestHookHandler[])
}

const oneRoute = settings({ config, onRequest }, {
  noun: 'a route option this plugin takes',
  note: () => ' (the handler, schema, body limit and error handler of its routes are the plugin\'s own)'
})

type RouteName = keyof RoutePaths | 'all'

/** Every route by name, and `all` (a route added to `RoutePaths` must be added here). */
const ROUTES: Record<RouteName, typeof oneRoute> = { all: oneRoute, login: oneRoute, start: oneRoute, callback: oneRoute, logout: oneRoute, oneTap: oneRoute, risc: oneRoute, dbscRegister: oneRoute, dbscRefresh: oneRoute }

const byRoute = settings(ROUTES, {
  noun: 'a route of this plugin',
  note: () => ' (the names of fastify.googleOAuth.routes, or all for every route)'
})

/**
 * The `routeOptions` option: for each of the plugin's routes, the `config` and `onRequest` hooks
 * the app gives it, `all`'s first (a route's own `config` keys win over `all`'s).
 */
export const readRouteOptions: Reader<Readonly<Record<RouteName, RouteAdditions>>> = (value, name, options) => {
  const read = byRoute(value, name, options)
  const routes = {} as Record<RouteName, RouteAdditions>
  for (const route of Object.keys(ROUTES) as RouteName[]) {
    routes[route] = route === 'all'
      ? Object.freeze(read.all)
      : Object.freeze({ config: { ...read.all.config, ...read[route].config }, onRequest: Object.freeze([...read.all.onRequest, ...read[route].onRequest]) })
  }
  return Object.freeze(routes)
}

/**
 * `config.rateLimit` is read by @fastify/rate-limit as each route is added: registered after this
 * plugin, or not at all, it would leave the plugin's routes silently unlimited. Refused at startup.
 */
export function checkRateLimitRegistered (routeOptions: Readonly<Record<RouteName, RouteAdditions>>, hasPlugin: (name: string) => boolean): void {
  const limited = (Object.keys(routeOptions) as RouteName[]).find((route) => routeOptions[route].config.rateLimit !== undefined)
  if (limited !== undefined && !hasPlugin('@fastify/rate-limit')) {
    throw invalid(`options.routeOptions.${limited}.config.rateLimit is set, but @fastify/rate-limit is not registered before fastify-google-oauth, so nothing would limit its routes. Register it first: await app.register(rateLimit, { global: false }), then this plugin.`)
  }
}
