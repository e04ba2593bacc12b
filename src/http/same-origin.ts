import type { Server } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { pluginError } from '../errors.js'
import { ownedBy } from './decorators.js'
import { sendError, type ErrorPages } from './error-reply.js'

/** Methods that must not change anything: the check lets them through (a link from another site is a GET). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Whether a request came from another origin than the app's. By `Sec-Fetch-Site` when the browser
 * sends it: only `same-origin` and `none` (typed, bookmarked) pass, so a sibling subdomain or
 * another port of the same host (`same-site`) does not. Else by `Origin`, which must be the app's
 * (`null`, sent by sandboxed frames and some redirects, is not). A request with neither header
 * passes: it is not a browser's cross-site request (browsers send `Origin` on every POST).
 */
export function isCrossOrigin (request: FastifyRequest, appOrigin: string): boolean {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined) return site !== 'same-origin' && site !== 'none'
  const origin = request.headers.origin
  return origin !== undefined && origin !== appOrigin
}

export interface SameOriginOptions {
  /** The app's origin, from `callbackUrl`. */
  appOrigin: string
  pages: ErrorPages
  /** The app the check belongs to: a route of another app using it is refused at startup. */
  server: Server
}

/**
 * `fastify.googleOAuth.sameOrigin`: a hook (`preHandler`, or `onRequest` to refuse before the body
 * is read) that refuses requests from another origin than the app's with 403
 * `FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST`, a page for browsers and JSON otherwise. GET, HEAD and
 * OPTIONS always pass: it guards the requests that change something (forms and JSON POSTs, PUT,
 * PATCH, DELETE). The plugin's own `POST /logout` is guarded by it.
 */
export function createSameOrigin ({ appOrigin, pages, server }: SameOriginOptions) {
  return ownedBy(server, function sameOrigin (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (SAFE_METHODS.has(request.method) || !isCrossOrigin(request, appOrigin)) {
      done()
      return
    }
    const { 'sec-fetch-site': site, origin } = request.headers
    request.log.debug({ reason: 'cross-origin', secFetchSite: site, origin }, 'same-origin check refused request')
    sendError(request, reply, pluginError('CROSS_SITE_REQUEST', 'cross-origin'), pages)
  })
}
