import { readFileSync } from 'node:fs'
import type { FastifyRequest } from 'fastify'
import type { SessionStore } from '@fastify/session'
import { fail } from './errors.js'
import { BASE_SCOPES, GOOGLE_ENDPOINTS, type GoogleEndpoints } from './google-endpoints.js'
import { isLoopbackHost } from './is-loopback.js'
import { safeReturnTo } from './return-to.js'
import { ROUTES } from './routes/paths.js'

/** What a custom login page receives. */
export interface LoginPageContext {
  /** URL of the route that starts the Google sign-in, `returnTo` included. */
  startUrl: string
  /** The validated same-origin path the user goes to after signing in. */
  returnTo: string
  request: FastifyRequest
}

export interface GoogleOAuthOptions {
  /** OAuth client id from Google Cloud console (or give `clientSecretsFile`). */
  clientId?: string
  /** OAuth client secret (or give `clientSecretsFile`). */
  clientSecret?: string
  /** Path to the `client_secrets.json` downloaded from Google Cloud console. */
  clientSecretsFile?: string
  /** Absolute URL of the callback route, registered in Google Cloud console. */
  callbackUrl: string | undefined
  /** Session secret, at least 32 characters; an array rotates keys (the first signs, all verify). `undefined` (an unset variable) fails at registration. */
  secret: string | readonly string[] | undefined
  /** Prefix for the plugin's routes. Default `''`. */
  prefix?: string
  /** Extra scopes; `openid email profile` are always requested. */
  scopes?: string[]
  /** Only accept accounts of this Google Workspace domain (checked on the ID token's `hd` claim). */
  hostedDomain?: string
  /** Passed to Google as `login_hint`. */
  loginHint?: string
  /** Passed to Google as `prompt` (e.g. `'consent'`, `'select_account'`). */
  prompt?: string
  /** `'offline'` asks Google for a refresh token. Default `'online'`. */
  accessType?: 'online' | 'offline'
  /** Passed to Google as `include_granted_scopes`. */
  includeGrantedScopes?: boolean
  /** `false` disables the built-in login page; a function replaces its HTML. */
  loginPage?: false | ((context: LoginPageContext) => string | Promise<string>)
  /** Where the guard sends signed-out page navigations. Default: the login page, or the start route when the page is disabled. */
  loginUrl?: string
  /** Where the browser goes after signing out. Default `'/'`. */
  afterLogout?: string
  /** Revoke the user's Google token at sign-out (this removes the app's access: the next sign-in asks for consent again). Default false. */
  revokeOnLogout?: boolean
  /** Session cookie settings. */
  cookie?: {
    /** Default `__Host-goauth.sid` with an https callback, `goauth.sid` otherwise. */
    name?: string
    /** Default: true when `callbackUrl` is https. */
    secure?: boolean
  }
  /** Sign the user out after this much inactivity (ms). Default 24 h. */
  idleTimeout?: number
  /** Sign the user out this long after signing in, whatever the activity (ms). Default 7 days. */
  absoluteTimeout?: number
  /** Any @fastify/session store. Default: a bounded in-memory store. */
  store?: SessionStore
  /** Most sessions the default in-memory store keeps. Default 10 000. */
  maxSessions?: number
  /** Most sessions one user may hold in the default in-memory store; that user's oldest go first. Default 10. */
  maxSessionsPerUser?: number
  /** How long a started sign-in stays valid (ms). Default 10 min. */
  loginTimeout?: number
  /** Deadline for each call to Google (ms). Default 4 000. */
  googleTimeout?: number
  /**
   * Override Google's URLs (for the fake Google in tests, or a proxy). `certs` and `discovery` are
   * accepted, so the fake Google's `endpoints` can be passed as they are, but never called.
   */
  endpoints?: Partial<GoogleEndpoints> & { certs?: string, discovery?: string }
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  clientId: string
  clientSecret: string
  callbackUrl: string
  appOrigin: string
  secrets: string[]
  prefix: string
  scopes: string[]
  hostedDomain: string | null
  loginHint: string | undefined
  prompt: string | undefined
  accessType: 'online' | 'offline'
  includeGrantedScopes: boolean | undefined
  loginPage: false | ((context: LoginPageContext) => string | Promise<string>) | null
  loginUrl: string
  startUrl: string
  afterLogout: string
  revokeOnLogout: boolean
  cookieName: string
  attemptCookiePrefix: string
  bindingCookieName: string
  secure: boolean
  idleTimeout: number
  absoluteTimeout: number
  store: SessionStore | null
  maxSessions: number
  maxSessionsPerUser: number
  loginTimeout: number
  googleTimeout: number
  /** Bound on one whole exchange with Google (token call, key download, retries). */
  googleDeadline: number
  endpoints: GoogleEndpoints
  /** Settings that work but are risky in production, each naming the option; logged at startup. */
  warnings: string[]
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

const invalid = (message: string): Error => fail('INVALID_OPTION', undefined, message)
const show = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)
  if (value === undefined) return 'nothing'
  return typeof value === 'object' ? (Array.isArray(value) ? 'an array' : 'an object') : `${typeof value} ${String(value)}`
}

function nonEmptyString (name: string, value: unknown, hint: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`options.${name} must be a non-empty string (got ${show(value)}). ${hint}`)
  }
  return value
}

function optionalString (name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined
  return nonEmptyString(name, value, 'Remove it or give a string.')
}

function positiveMs (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`options.${name} must be a positive number of milliseconds (got ${show(value)}).`)
  }
  return value
}

function readBoolean (name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(`options.${name} must be true or false (got ${show(value)}).`)
  return value
}

function positiveInteger (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(`options.${name} must be a positive integer (got ${show(value)}).`)
  }
  return value
}

function parseUrl (name: string, value: unknown, hint: string): URL {
  const text = nonEmptyString(name, value, hint)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw invalid(`options.${name} must be an absolute URL such as "https://app.example.com/…" (got ${show(text)}). ${hint}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`options.${name} must use https (got ${show(text)}).`)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw invalid(`options.${name} uses plain http on a non-loopback host (got ${show(text)}). Use https; plain http is only allowed for localhost and 127.0.0.1.`)
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw invalid(`options.${name} must not contain credentials or a #fragment (got ${show(text)}).`)
  }
  return url
}

interface ClientCredentials { clientId: unknown, clientSecret: unknown, redirectUris?: unknown }

function readClientSecretsFile (file: unknown): ClientCredentials {
  const path = nonEmptyString('clientSecretsFile', file, 'Give the path of the JSON file downloaded from Google Cloud console.')
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not readable JSON'
    throw invalid(`options.clientSecretsFile ${show(path)} cannot be used: ${why}. Download it again from Google Cloud console (APIs & Services → Credentials).`)
  }
  const root = parsed as Record<string, Record<string, unknown> | undefined> | null
  const entry = root?.web ?? root?.installed
  if (typeof entry !== 'object' || entry === null) {
    throw invalid(`options.clientSecretsFile ${show(path)} has neither a "web" nor an "installed" section. Download the OAuth client JSON from Google Cloud console.`)
  }
  return { clientId: entry.client_id, clientSecret: entry.client_secret, redirectUris: entry.redirect_uris }
}

function readSecrets (value: unknown): string[] {
  const secrets = Array.isArray(value) ? value : [value]
  if (secrets.length === 0) throw invalid('options.secret must hold at least one secret.')
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 32) {
      throw invalid(`options.secret must be a string of at least 32 characters, or an array of them (got ${typeof secret === 'string' ? `a string of ${secret.length} characters` : show(secret)}). Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`)
    }
  }
  return secrets as string[]
}

function readPrefix (value: unknown): string {
  if (value === undefined || value === '') return ''
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~-]+)+$/.test(value)) {
    throw invalid(`options.prefix must be '' or a path like "/auth" without a trailing slash (got ${show(value)}).`)
  }
  return value
}

/**
 * Endpoints the plugin accepts but never calls: `certs` (the PEM form of Google's keys; ID tokens
 * are verified against the `jwks` form) and `discovery`.
 */
const UNUSED_ENDPOINTS = ['certs', 'discovery']

function readEndpoints (value: unknown): GoogleEndpoints {
  if (value === undefined) return { ...GOOGLE_ENDPOINTS }
  if (typeof value !== 'object' || value === null) throw invalid(`options.endpoints must be an object (got ${show(value)}).`)
  const endpoints: GoogleEndpoints = { ...GOOGLE_ENDPOINTS }
  for (const [key, url] of Object.entries(value)) {
    if (url === undefined) continue
    if (UNUSED_ENDPOINTS.includes(key)) {
      parseUrl(`endpoints.${key}`, url, '')
      continue
    }
    if (!(key in GOOGLE_ENDPOINTS)) {
      throw invalid(`options.endpoints.${key} is not a known endpoint; use ${Object.keys(GOOGLE_ENDPOINTS).join(', ')}.`)
    }
    endpoints[key as keyof GoogleEndpoints] = parseUrl(`endpoints.${key}`, url, '').href
  }
  return endpoints
}

function readLocalPath (name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || safeReturnTo(value, '') !== value) {
    throw invalid(`options.${name} must be a plain path on this site such as "/welcome" (got ${show(value)}).`)
  }
  return value
}

const KNOWN_OPTIONS = [
  'clientId', 'clientSecret', 'clientSecretsFile', 'callbackUrl', 'secret', 'prefix', 'scopes', 'hostedDomain',
  'loginHint', 'prompt', 'accessType', 'includeGrantedScopes', 'loginPage', 'loginUrl', 'afterLogout',
  'revokeOnLogout', 'cookie', 'idleTimeout', 'absoluteTimeout', 'store', 'maxSessions', 'maxSessionsPerUser', 'loginTimeout',
  'googleTimeout', 'endpoints'
]
// Keys Fastify itself passes to every plugin.
const FASTIFY_KEYS = ['logLevel', 'logSerializers']

/** Refuses unknown options: a typo such as `hostedDomian` must not silently drop a restriction. */
function refuseUnknown (raw: object): void {
  for (const key of Object.keys(raw)) {
    if (KNOWN_OPTIONS.includes(key) || FASTIFY_KEYS.includes(key)) continue
    const close = KNOWN_OPTIONS.find((known) => known.toLowerCase() === key.toLowerCase() || editDistance(known, key) <= 2)
    throw invalid(`options.${key} is not an option of this plugin${close === undefined ? '' : ` (did you mean ${close}?)`}.`)
  }
}

function editDistance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** Settings that pass validation but are risky in production (SECURITY.md row 37). */
function riskyInProduction (callback: URL, endpoints: GoogleEndpoints, cookieName: string, custom: { cookieName: boolean, redirectUris: unknown, secretsFile: unknown }): string[] {
  if (callback.protocol !== 'https:') return []
  const warnings: string[] = []
  const local = Object.entries(endpoints).filter(([, url]) => {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || isLoopbackHost(parsed.hostname)
  })
  if (local.length > 0) {
    const names = local.map(([key]) => `options.endpoints.${key}`).join(', ')
    warnings.push(`${names} ${local.length === 1 ? 'points' : 'point'} at a local or plain-http server (${show(local[0]![1])}) while callbackUrl is https (production): Google's calls would go there, as to a fake Google in tests. Remove options.endpoints in production.`)
  }
  if (custom.cookieName && !cookieName.startsWith('__Host-')) {
    warnings.push(`options.cookie.name ${show(cookieName)} has no __Host- prefix on https: a sibling subdomain can plant a cookie of that name. Use a name starting with __Host- or remove options.cookie.name.`)
  }
  if (Array.isArray(custom.redirectUris) && !custom.redirectUris.includes(callback.href) && !custom.redirectUris.includes(callback.href.replace(/\/$/, ''))) {
    warnings.push(`options.clientSecretsFile ${show(custom.secretsFile)} does not list callbackUrl ${show(callback.href)} in its redirect_uris: Google will answer redirect_uri_mismatch unless it is registered. Add it under Authorized redirect URIs in Google Cloud console and download the file again.`)
  }
  return warnings
}

/** Validates the options once, at registration, and applies defaults. */
export function resolveOptions (raw: GoogleOAuthOptions): ResolvedOptions {
  if (typeof raw !== 'object' || raw === null) throw invalid('pass an options object: { clientId, clientSecret, callbackUrl, secret }.')
  refuseUnknown(raw)
  if (raw.clientSecretsFile !== undefined && (raw.clientId !== undefined || raw.clientSecret !== undefined)) {
    throw invalid('give either options.clientSecretsFile or options.clientId and options.clientSecret, not both.')
  }
  const credentials: ClientCredentials = raw.clientSecretsFile !== undefined
    ? readClientSecretsFile(raw.clientSecretsFile)
    : { clientId: raw.clientId, clientSecret: raw.clientSecret }
  const clientId = nonEmptyString('clientId', credentials.clientId, 'Create an OAuth client ID in Google Cloud console and pass it, or pass clientSecretsFile.')
  const clientSecret = nonEmptyString('clientSecret', credentials.clientSecret, 'Pass the client secret that belongs to clientId, or pass clientSecretsFile.')
  const secrets = readSecrets(raw.secret)
  const prefix = readPrefix(raw.prefix)

  const callback = parseUrl('callbackUrl', raw.callbackUrl, `Give the full URL of ${prefix}${ROUTES.callback} on your site.`)
  if (callback.pathname !== `${prefix}${ROUTES.callback}` || callback.search !== '') {
    throw invalid(`options.callbackUrl must point at this plugin's callback route "${prefix}${ROUTES.callback}" (got path ${show(callback.pathname + callback.search)}). Register that same URL in Google Cloud console.`)
  }

  if (raw.scopes !== undefined && (!Array.isArray(raw.scopes) || raw.scopes.some((scope) => typeof scope !== 'string' || !/^\S+$/.test(scope)))) {
    throw invalid(`options.scopes must be an array of scope strings without spaces (got ${show(raw.scopes)}).`)
  }
  if (raw.accessType !== undefined && raw.accessType !== 'online' && raw.accessType !== 'offline') {
    throw invalid(`options.accessType must be 'online' or 'offline' (got ${show(raw.accessType)}).`)
  }
  if (raw.loginPage !== undefined && raw.loginPage !== false && typeof raw.loginPage !== 'function') {
    throw invalid(`options.loginPage must be false or a function returning HTML (got ${show(raw.loginPage)}).`)
  }
  const cookie = raw.cookie ?? {}
  if (typeof cookie !== 'object' || cookie === null) throw invalid(`options.cookie must be an object (got ${show(cookie)}).`)
  if (cookie.secure !== undefined && typeof cookie.secure !== 'boolean') {
    throw invalid(`options.cookie.secure must be a boolean (got ${show(cookie.secure)}).`)
  }
  if (cookie.secure === false && callback.protocol === 'https:') {
    throw invalid('options.cookie.secure is false but callbackUrl is https: the session cookie would also travel over plain http. Remove cookie.secure.')
  }
  for (const key of Object.keys(cookie)) {
    if (key !== 'name' && key !== 'secure') throw invalid(`options.cookie.${key} is not a cookie setting of this plugin (use name or secure; the other attributes are fixed for safety).`)
  }
  const secure = cookie.secure ?? callback.protocol === 'https:'
  const cookieName = cookie.name === undefined
    ? (secure ? '__Host-goauth.sid' : 'goauth.sid')
    : nonEmptyString('cookie.name', cookie.name, '')
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw invalid(`options.cookie.name must be a valid cookie name (got ${show(cookieName)}).`)
  }
  if ((cookieName.startsWith('__Host-') || cookieName.startsWith('__Secure-')) && !secure) {
    throw invalid(`options.cookie.name ${show(cookieName)} needs secure cookies, but the callback is plain http. Use another name or https.`)
  }
  if (raw.store !== undefined) {
    const store = raw.store as unknown as Record<string, unknown> | null
    if (typeof store !== 'object' || store === null || ['get', 'set', 'destroy'].some((method) => typeof store[method] !== 'function')) {
      throw invalid('options.store must be a @fastify/session store with get, set and destroy methods.')
    }
  }
  const loginPage = raw.loginPage === undefined ? null : raw.loginPage
  const startUrl = `${prefix}${ROUTES.start}`
  const loginUrl = readLocalPath('loginUrl', raw.loginUrl, loginPage === false ? startUrl : `${prefix}${ROUTES.login}`)
  const googleTimeout = positiveMs('googleTimeout', raw.googleTimeout, 4_000)
  const idleTimeout = positiveMs('idleTimeout', raw.idleTimeout, 24 * HOUR)
  const absoluteTimeout = positiveMs('absoluteTimeout', raw.absoluteTimeout, Math.max(7 * 24 * HOUR, idleTimeout))
  if (absoluteTimeout < idleTimeout) {
    throw invalid(`options.absoluteTimeout (${absoluteTimeout} ms) must not be shorter than options.idleTimeout (${idleTimeout} ms).`)
  }
  const endpoints = readEndpoints(raw.endpoints)

  return {
    clientId,
    clientSecret,
    callbackUrl: callback.href,
    appOrigin: callback.origin,
    secrets,
    prefix,
    scopes: [...new Set([...BASE_SCOPES, ...(raw.scopes ?? [])])],
    hostedDomain: optionalString('hostedDomain', raw.hostedDomain)?.toLowerCase() ?? null,
    loginHint: optionalString('loginHint', raw.loginHint),
    prompt: optionalString('prompt', raw.prompt),
    accessType: raw.accessType ?? 'online',
    includeGrantedScopes: readBoolean('includeGrantedScopes', raw.includeGrantedScopes),
    loginPage,
    loginUrl,
    startUrl,
    afterLogout: readLocalPath('afterLogout', raw.afterLogout, '/'),
    revokeOnLogout: readBoolean('revokeOnLogout', raw.revokeOnLogout) ?? false,
    cookieName,
    attemptCookiePrefix: secure ? '__Secure-goauth.attempt.' : 'goauth.attempt.',
    bindingCookieName: secure ? '__Host-goauth.browser' : 'goauth.browser',
    secure,
    idleTimeout,
    absoluteTimeout,
    store: raw.store ?? null,
    maxSessions: positiveInteger('maxSessions', raw.maxSessions, 10_000),
    maxSessionsPerUser: positiveInteger('maxSessionsPerUser', raw.maxSessionsPerUser, 10),
    loginTimeout: positiveMs('loginTimeout', raw.loginTimeout, 10 * MINUTE),
    googleTimeout,
    googleDeadline: Math.round(googleTimeout * 2.5),
    endpoints,
    warnings: riskyInProduction(callback, endpoints, cookieName, {
      cookieName: cookie.name !== undefined,
      redirectUris: credentials.redirectUris,
      secretsFile: raw.clientSecretsFile
    })
  }
}
