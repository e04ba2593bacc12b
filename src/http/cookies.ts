import { parseCookie, parseSetCookie, stringifySetCookie } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** What a Cookie header holds under one name. */
export interface CookieLookup {
  /** The first value, as @fastify/cookie would give it; undefined when the name is absent. */
  value: string | undefined
  /** How many pairs carry this name (more than one can only be planted, or left by another app). */
  count: number
}

const NONE: CookieLookup = Object.freeze({ value: undefined, count: 0 })
const SPACE = 32
const TAB = 9
const SEMICOLON = 59
const EQUALS = 61

const isBlank = (code: number): boolean => code === SPACE || code === TAB

/**
 * Finds cookie `name` in a raw Cookie header without parsing every pair, matching exactly what
 * @fastify/cookie's parser (cookie@2 `parseCookie`) reads: pairs are split at `;`, a pair's name is
 * its text before the first `=` with spaces and tabs trimmed, its value the rest, trimmed and
 * URL-decoded when it holds a `%`, and the first pair of a name wins. A name that only appears
 * inside another cookie's value (`x=1 goauth.sid=forged`, which a sibling subdomain can set) is
 * part of that value, never a cookie of its own.
 */
export function findCookie (header: string | undefined, name: string): CookieLookup {
  if (header === undefined || name === '') return NONE
  let value: string | undefined
  let count = 0
  let from = 0
  while (from < header.length) {
    const index = header.indexOf(name, from)
    if (index === -1) break
    from = index + 1
    // Only blanks between the start of the pair and the name...
    let before = index - 1
    while (before >= 0 && isBlank(header.charCodeAt(before))) before--
    if (before >= 0 && header.charCodeAt(before) !== SEMICOLON) continue
    // ...and only blanks between the name and the pair's first `=`.
    let after = index + name.length
    while (after < header.length && isBlank(header.charCodeAt(after))) after++
    if (after >= header.length || header.charCodeAt(after) !== EQUALS) continue
    let end = header.indexOf(';', after + 1)
    if (end === -1) end = header.length
    count++
    if (count === 1) value = decode(trimBlanks(header, after + 1, end))
    from = end
  }
  return count === 0 ? NONE : { value, count }
}

function trimBlanks (text: string, start: number, end: number): string {
  while (start < end && isBlank(text.charCodeAt(start))) start++
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--
  return text.slice(start, end)
}

function decode (value: string): string {
  if (!value.includes('%')) return value
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** All cookies of a request, as @fastify/cookie's parser reads them (parsed once, on the routes that need them). */
export function allCookies (request: FastifyRequest): Record<string, string | undefined> {
  const parsed = request.cookies as Record<string, string | undefined> | null | undefined
  if (parsed) return parsed
  const holder = request as FastifyRequest & { [kParsed]?: Record<string, string | undefined> }
  holder[kParsed] ??= request.headers.cookie === undefined ? {} : parseCookie(request.headers.cookie)
  return holder[kParsed]
}

const kParsed = Symbol('fastify-google-oauth.cookies')

/** The attributes of every cookie the plugin sets (no `Domain`, ever). */
export interface CookieAttributes {
  path: string
  httpOnly: true
  sameSite: 'lax'
  secure: boolean
  maxAge?: number
  expires?: Date
}

/**
 * Adds a `Set-Cookie` line, replacing one of the same name and path set earlier in this reply.
 * Written without @fastify/cookie's reply decorators, so that the plugin needs none on the app;
 * @fastify/cookie, when registered, keeps the lines it finds and adds its own.
 */
export function setCookie (reply: FastifyReply, name: string, value: string, attributes: CookieAttributes): void {
  const current = reply.getHeader('set-cookie')
  const lines = current === undefined ? [] : (Array.isArray(current) ? current : [current]).map(String)
  const others = lines.filter((line) => {
    const cookie = parseSetCookie(line)
    return cookie.name !== name || (cookie.path ?? '/') !== attributes.path
  })
  if (lines.length > 0) reply.removeHeader('set-cookie')
  reply.header('set-cookie', [...others, stringifySetCookie({ name, value, ...attributes })])
}

/** Tells the browser to drop a cookie (same name, path and attributes as when it was set). */
export function clearCookie (reply: FastifyReply, name: string, attributes: CookieAttributes): void {
  setCookie(reply, name, '', { ...attributes, maxAge: 0, expires: new Date(0) })
}
