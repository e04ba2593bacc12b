import type { FastifyRequest } from 'fastify'

const SECRET_PARAMS = /([?&](?:code|state|token|access_token|id_token|refresh_token)=)[^&#]*/gi

/** Replaces the values of OAuth parameters in a URL (the callback carries the code and state). */
export function redactUrl (url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]')
}

/**
 * Fastify log serializers that keep the default request fields but never log the callback's
 * authorization code and state: `Fastify({ logger: { serializers: logSerializers } })`.
 */
export const logSerializers = {
  req (request: FastifyRequest) {
    return {
      method: request.method,
      url: redactUrl(request.url),
      host: request.host,
      remoteAddress: request.ip,
      remotePort: request.socket?.remotePort
    }
  }
}
