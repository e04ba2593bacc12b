import { BASE_SCOPES, GOOGLE_ENDPOINTS, type GoogleEndpoints } from '../google/endpoints.js'
import type { GoogleOAuthOptions, OneTapOptions, ResolvedOptions, RoutePaths } from '../options.js'
import { DEFAULT_MAX_SESSIONS_PER_USER } from '../session/memory-store.js'
import { invalid, MAX_MS, nonEmptyString, optionalString, parseUrl, positiveInteger, readBoolean, readLocalPath, readMs, show } from './checks.js'
import { readBearer } from './bearer.js'
import { readClock } from './clock.js'
import { readPolicies } from './policies.js'
import { readClientSecretsFile, type ClientCredentials } from './client-secrets.js'
import { refuseUnknown } from './unknown.js'
import { riskyInProduction } from './warnings.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** The plugin's route paths, relative to its prefix. */
const ROUTES = {
  login: '/login',
  start: '/oauth2/google',
  callback: '/oauth2/google/callback',
  logout: '/logout',
  oneTap: '/oauth2/google/one-tap'
} as const

function readFunction<T> (name: string, value: T | undefined): T | null {
  if (value === undefined) return null
  if (typeof value !== 'function') throw invalid(`options.${name} must be a function (got ${show(value)}).`)
  return value
}

function readOneTap (value: unknown): ResolvedOptions['oneTap'] {
  if (value === undefined || value === false) return null
  if (value === true) return { button: true, prompt: true }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`options.oneTap must be true, false or { button, prompt } (got ${show(value)}).`)
  const raw = value as OneTapOptions
  const unknown = Object.keys(raw).filter((key) => !['button', 'prompt'].includes(key))
  if (unknown.length > 0) throw invalid(`options.oneTap.${unknown[0]!} is not a setting of oneTap; use button or prompt.`)
  const settings = { button: readBoolean('oneTap.button', raw.button) ?? true, prompt: readBoolean('oneTap.prompt', raw.prompt) ?? true }
  if (!settings.button && !settings.prompt) throw invalid('options.oneTap shows nothing with both button and prompt false: leave oneTap out instead.')
  return settings
}

function readDecoratorName (value: unknown): string | false {
  if (value === undefined) return 'authenticate'
  if (value === false) return false
  if (typeof value !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(value)) {
    throw invalid(`options.authenticateDecorator must be a name such as 'googleAuthenticate', or false (got ${show(value)}).`)
  }
  return value
}

function readKeepSessionInfo (value: unknown): boolean | readonly string[] {
  if (value === undefined) return false
  if (typeof value === 'boolean') return value
  if (!Array.isArray(value) || value.some((key) => typeof key !== 'string' || key === '' || key.startsWith('google') || key === 'cookie')) {
    throw invalid(`options.keepSessionInfo must be true, false, or an array of your session's keys such as ['cart'] (keys of the plugin's own, google*, and cookie cannot be kept; got ${show(value)}).`)
  }
  return Object.freeze([...value as string[]])
}

/** The session cookie: its name and whether it is Secure. The other attributes are fixed. */
function readCookieSettings (value: unknown, callback: URL): { secure: boolean, cookieName: string } {
  const cookie = (value ?? {}) as { name?: unknown, secure?: unknown }
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
  return { secure, cookieName }
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
  const { secure, cookieName } = readCookieSettings(raw.cookie, callback)
  if (raw.store !== undefined) {
    const store = raw.store as unknown as Record<string, unknown> | null
    if (typeof store !== 'object' || store === null || ['get', 'set', 'destroy'].some((method) => typeof store[method] !== 'function')) {
      throw invalid('options.store must be a @fastify/session store with get, set and destroy methods.')
    }
  }
  const loginPage = raw.loginPage === undefined ? null : raw.loginPage
  const routes: RoutePaths = {
    login: `${prefix}${ROUTES.login}`,
    start: `${prefix}${ROUTES.start}`,
    callback: `${prefix}${ROUTES.callback}`,
    logout: `${prefix}${ROUTES.logout}`,
    oneTap: `${prefix}${ROUTES.oneTap}`
  }
  const loginUrl = readLocalPath('loginUrl', raw.loginUrl, loginPage === false ? routes.start : routes.login)
  const googleTimeout = readMs('googleTimeout', raw.googleTimeout, 4_000, { required: 'every call to Google needs a deadline' })
  const idle = readMs('idleTimeout', raw.idleTimeout, DAY, { off: 'to end sessions only at absoluteTimeout, however long they sit unused' })
  const absoluteTimeout = readMs('absoluteTimeout', raw.absoluteTimeout, Math.max(7 * DAY, Number.isFinite(idle) ? idle : 0), {
    required: 'every session needs an end (the session cookie expires then)'
  })
  if (absoluteTimeout < idle && Number.isFinite(idle)) {
    throw invalid(`options.absoluteTimeout (${absoluteTimeout} ms) must not be shorter than options.idleTimeout (${idle} ms).`)
  }
  // No idle limit: a session lasts until its absolute one (an idle limit as long never comes first).
  const idleTimeout = Math.min(idle, absoluteTimeout)
  const endpoints = readEndpoints(raw.endpoints)
  const oneTap = readOneTap(raw.oneTap)
  if (oneTap !== null && loginPage === false) {
    throw invalid('options.oneTap shows Google\'s button and One Tap on the login page, which loginPage: false removes. Keep the login page (or give your own with loginPage: (context) => html, which gets context.oneTap), or leave oneTap out.')
  }
  const policies = readPolicies(raw)

  return {
    clientId,
    clientSecret,
    callbackUrl: callback.href,
    appOrigin: callback.origin,
    secrets,
    scopes: [...new Set([...BASE_SCOPES, ...(raw.scopes ?? [])])],
    hostedDomain: policies.hostedDomains.length === 1 ? policies.hostedDomains[0]! : null,
    policies,
    onSignIn: readFunction('onSignIn', raw.onSignIn),
    onSignInTimeout: readMs('onSignInTimeout', raw.onSignInTimeout, 10_000, { off: 'for no time limit' }),
    onEvent: readFunction('onEvent', raw.onEvent),
    bearer: readBearer(raw.bearer, clientId),
    oneTap,
    loginHint: optionalString('loginHint', raw.loginHint),
    prompt: optionalString('prompt', raw.prompt),
    accessType: raw.accessType ?? 'online',
    includeGrantedScopes: readBoolean('includeGrantedScopes', raw.includeGrantedScopes),
    loginPage,
    routes,
    loginUrl,
    afterLogout: readLocalPath('afterLogout', raw.afterLogout, '/'),
    revokeOnLogout: readBoolean('revokeOnLogout', raw.revokeOnLogout) ?? false,
    appName: optionalString('appName', raw.appName) ?? null,
    appUrl: readLocalPath('appUrl', raw.appUrl, '/'),
    authenticateDecorator: readDecoratorName(raw.authenticateDecorator),
    keepSessionInfo: readKeepSessionInfo(raw.keepSessionInfo),
    cookieName,
    attemptCookiePrefix: secure ? '__Secure-goauth.attempt.' : 'goauth.attempt.',
    bindingCookieName: secure ? '__Host-goauth.browser' : 'goauth.browser',
    secure,
    idleTimeout,
    absoluteTimeout,
    store: raw.store ?? null,
    maxSessions: positiveInteger('maxSessions', raw.maxSessions, 10_000),
    maxSessionsPerUser: positiveInteger('maxSessionsPerUser', raw.maxSessionsPerUser, DEFAULT_MAX_SESSIONS_PER_USER),
    loginTimeout: readMs('loginTimeout', raw.loginTimeout, 10 * MINUTE, { required: 'a started sign-in must expire, and its cookie and replay record last this long' }),
    googleTimeout,
    googleDeadline: Math.min(Math.round(googleTimeout * 2.5), MAX_MS),
    endpoints,
    clock: readClock(raw.clock),
    warnings: riskyInProduction(callback, endpoints, cookieName, {
      cookieName: raw.cookie?.name !== undefined,
      redirectUris: credentials.redirectUris,
      secretsFile: raw.clientSecretsFile,
      policies
    })
  }
}
