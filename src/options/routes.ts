import type { RoutePaths } from '../types.js'
import { invalid, show } from './checks.js'

/** The plugin's route paths, relative to its prefix. */
const ROUTES: Required<RoutePaths> = {
  login: '/login',
  start: '/oauth2/google',
  callback: '/oauth2/google/callback',
  logout: '/logout',
  oneTap: '/oauth2/google/one-tap',
  risc: '/oauth2/google/risc',
  dbscRegister: '/oauth2/google/dbsc/register',
  dbscRefresh: '/oauth2/google/dbsc/refresh'
}

/** The `prefix` option: `''` or a path without a trailing slash. */
export function readPrefix (value: unknown): string {
  if (value === undefined || value === '') return ''
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    throw invalid(`options.prefix must be '' or a path like "/auth" without a trailing slash (got ${show(value)}).`)
  }
  return value
}

/** The plugin's routes under the prefix: resolved once, here. `risc` and `dbsc…` only with their options. */
export function routePaths (prefix: string, optional: { risc?: boolean, deviceBound?: boolean } = {}): RoutePaths {
  const paths: RoutePaths = { ...ROUTES }
  if (optional.risc !== true) delete paths.risc
  if (optional.deviceBound !== true) {
    delete paths.dbscRegister
    delete paths.dbscRefresh
  }
  for (const key of Object.keys(paths) as Array<keyof RoutePaths>) paths[key] = `${prefix}${ROUTES[key]}`
  return paths
}

/** What the `callbackUrl` refusals tell to do, for the `prefix` given (read again: it may come first or not at all). */
export const callbackHint = (options: Readonly<Record<string, unknown>>): string =>
  `Give the full URL of ${readPrefix(options.prefix)}${ROUTES.callback} on your site.`

/** `callbackUrl` must be the plugin's callback route: Google sends the browser back there and nowhere else. */
export function checkCallback (callback: URL, routes: RoutePaths): void {
  if (callback.pathname !== routes.callback || callback.search !== '') {
    throw invalid(`options.callbackUrl must point at this plugin's callback route "${routes.callback}" (got path ${show(callback.pathname + callback.search)}). Register that same URL in Google Cloud console.`)
  }
}
