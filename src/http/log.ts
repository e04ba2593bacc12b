import type { FastifyRequest } from 'fastify'

// JWTs, Google access/refresh tokens, authorization codes and OAuth client secrets.
const SECRET_PATTERNS = [
  /eyJ[\w-]*\.[\w-]*\.[\w-]*/g,
  /ya29\.[\w.-]+/g,
  /1\/\/[\w.-]+/g,
  /4\/0[\w.-]+/g,
  /GOCSPX-[\w-]+/g
]
const SECRET_PARAMS = /([?&](?:code|state|token|access_token|id_token|refresh_token)=)[^&#]*/gi

/** Replaces anything that looks like a token or code with [redacted], for log lines. */
export function redact (text: string): string {
  return SECRET_PATTERNS.reduce((result, pattern) => result.replace(pattern, '[redacted]'), text)
}

/** Replaces the values of OAuth parameters in a URL (the callback carries the code and state). */
export function redactUrl (url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]')
}

/**
 * Fastify log serializers that keep the default request fields (but `version`, the
 * `Accept-Version` header) and never log the callback's authorization code and state, nor any
 * other token parameter of the URL: `Fastify({ logger: { serializers: logSerializers } })`.
 */
export const logSerializers = {
  req (request: FastifyRequest): { method: string, url: string, host: string, remoteAddress: string, remotePort?: number } {
    const remotePort = request.socket?.remotePort
    return {
      method: request.method,
      url: redactUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      // Left out rather than undefined (Fastify's types, with exactOptionalPropertyTypes, want that).
      ...(remotePort !== undefined && { remotePort })
    }
  }
}
