import type { FastifyRequest } from 'fastify'

/** The host a request was sent to, normalised as a URL's (lower case, no default port). */
function hostOf (protocol: string, host: string): string {
  try {
    return new URL(`${protocol}://${host}`).host
  } catch {
    return ''
  }
}

/**
 * Whether a request came to the app's own host (`callbackUrl`'s), where the sign-in's cookies
 * live. The Host header is only compared here, never used to build a URL.
 */
export function onAppHost (request: FastifyRequest, appOrigin: string): boolean {
  return hostOf(request.protocol, request.host) === appHostOf(appOrigin)
}

/** The configured origin's host, worked out once per origin (there is one per app). */
const appHosts = new Map<string, string>()
function appHostOf (origin: string): string {
  let host = appHosts.get(origin)
  if (host === undefined) appHosts.set(origin, host = new URL(origin).host)
  return host
}
