import type { FastifyRequest } from 'fastify'

/**
 * Reading cookies without parsing every request's whole Cookie header: the plugin registers
 * @fastify/cookie with its parsing hook off (when the host has not registered it), and reads the
 * one cookie it needs. With the host's @fastify/cookie, `request.cookies` is used as is.
 */
export function readCookie (request: FastifyRequest, name: string): string | undefined {
  const parsed = request.cookies as Record<string, string | undefined> | null | undefined
  if (parsed) return parsed[name]
  const header = request.headers.cookie
  if (header === undefined) return undefined
  let start = 0
  while (start < header.length) {
    const index = header.indexOf(name, start)
    if (index === -1) return undefined
    const before = index === 0 ? ';' : header[index - 1]
    const after = header[index + name.length]
    if ((before === ';' || before === ' ') && (after === '=' || after === ' ')) {
      const valueStart = header.indexOf('=', index + name.length) + 1
      let end = header.indexOf(';', valueStart)
      if (end === -1) end = header.length
      const value = header.slice(valueStart, end).trim()
      return value.includes('%') ? decode(value) : value
    }
    start = index + name.length
  }
  return undefined
}

function decode (value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

const kParsed = Symbol('fastify-google-oauth.cookies')

/** All cookies of a request (parsed once, on the routes that need them). */
export function allCookies (request: FastifyRequest): Record<string, string | undefined> {
  const parsed = request.cookies as Record<string, string | undefined> | null | undefined
  if (parsed) return parsed
  const holder = request as FastifyRequest & { [kParsed]?: Record<string, string | undefined> }
  holder[kParsed] ??= request.headers.cookie === undefined ? {} : request.server.parseCookie(request.headers.cookie)
  return holder[kParsed]
}
