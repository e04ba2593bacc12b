import type { FastifyInstance } from 'fastify'

/** Request parameters as single strings: the first value of a repeated name wins. */
export type Params = Record<string, string>

/** Reduces a parsed query string or body to {@link Params}, dropping non-string values. */
export function toParams (input: unknown): Params {
  const params: Params = Object.create(null)
  if (input === null || typeof input !== 'object') return params
  for (const [name, value] of Object.entries(input)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first === 'string') params[name] = first
  }
  return params
}

/** Parses `application/x-www-form-urlencoded` with URLSearchParams; the first value of a repeated name wins. */
function parseForm (body: string): Params {
  const params: Params = Object.create(null)
  for (const [name, value] of new URLSearchParams(body)) {
    if (!(name in params)) params[name] = value
  }
  return params
}

/** Registers the form body parser of the fake's POST endpoints (token, revocation, the chooser's answers). */
export function registerFormParser (app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(body as string))
  })
}
