import type { FastifyRequest } from 'fastify'

/**
 * True for a browser page navigation (it should get HTML or a redirect); false for API calls:
 * methods other than GET and HEAD, XHR/fetch requests and clients that do not ask for HTML get JSON.
 */
export function isPageNavigation (request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false
  const headers = request.headers
  if (headers['x-requested-with'] !== undefined) return false
  const mode = headers['sec-fetch-mode']
  if (mode !== undefined && mode !== 'navigate') return false
  const accept = headers.accept
  return typeof accept === 'string' && accept.includes('text/html')
}

/** True when the client would rather read HTML than JSON (error pages). */
export function prefersHtml (request: FastifyRequest): boolean {
  const accept = request.headers.accept
  return typeof accept === 'string' && accept.includes('text/html')
}
