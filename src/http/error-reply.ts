import { STATUS_CODES } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { pluginError, isPluginError, type PluginError } from '../errors.js'
import { errorPage, type PageLink } from '../pages/error-page.js'
import { sendPage, type AppInfo } from '../pages/html.js'
import { redact } from './log.js'
import { prefersHtml } from './request-kind.js'

const TITLES_BY_CODE: Record<string, string> = {
  FST_GOOGLE_OAUTH_ACCESS_DENIED: 'Sign-in cancelled',
  FST_GOOGLE_OAUTH_STATE_EXPIRED: 'Sign-in took too long',
  FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE: 'More access needed',
  FST_GOOGLE_OAUTH_ACCOUNT_MISMATCH: 'Another Google account',
  FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST: 'Request refused',
  FST_GOOGLE_OAUTH_TOO_MANY_REQUESTS: 'Too many requests'
}

const TITLES: Record<number, string> = {
  400: 'Sign-in could not be completed',
  403: 'Sign-in refused',
  502: 'Google sign-in is having trouble',
  503: 'Temporarily unavailable',
  504: 'Google did not answer in time'
}

/** What error answers point to: where to sign in again, and the app. */
export interface ErrorPages {
  loginUrl: string
  app: AppInfo
}

/**
 * Whether a request carried `Authorization: Bearer …`: its client is an app with a token, not a
 * browser, so answers carry no hint meant for browsers (where to sign in, a route to open).
 */
export function carriesBearer (request: FastifyRequest): boolean {
  const header = request.headers.authorization
  return typeof header === 'string' && /^bearer(\s|$)/i.test(header)
}

/** The JSON body of every error the plugin answers; a 401 to a browser's client also says where to sign in. */
export interface ErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
  loginUrl?: string
  /** INSUFFICIENT_SCOPE: the URL that asks Google for the missing scopes (not for a Bearer client: it cannot use it), and which they are. */
  grantUrl?: string
  missingScopes?: string[]
}

/** `loginUrl`: where a 401's client signs in; null for clients that cannot (a Bearer token's). */
export function errorBody (failure: PluginError, loginUrl: string | null): ErrorBody {
  return {
    statusCode: failure.statusCode,
    code: failure.code,
    error: STATUS_CODES[failure.statusCode] ?? 'Error',
    message: failure.message,
    ...(failure.statusCode === 401 && loginUrl !== null && { loginUrl }),
    ...(failure.grantUrl !== undefined && { grantUrl: failure.grantUrl }),
    ...((failure.grantUrl !== undefined || failure.missingScopes !== undefined) && { missingScopes: failure.missingScopes ?? [] })
  }
}

/** Our error for anything a route threw: Fastify's own 4xx refusals become INVALID_REQUEST (their status kept), anything else unexpected a generic 500. */
function toPluginError (error: unknown): PluginError {
  if (isPluginError(error)) return error
  const status = (error as { statusCode?: unknown }).statusCode
  if (status === 429) return pluginError('TOO_MANY_REQUESTS', 'rate-limited')
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const failure = pluginError('INVALID_REQUEST', `fastify:${String((error as { code?: unknown }).code)}`)
    failure.statusCode = status
    return failure
  }
  return pluginError('INTERNAL', 'unexpected')
}

/**
 * Our error for what failed, logged: a refusal's reason at debug level; a bug's, or the app's own
 * hook's, stack at error level with tokens redacted. Neither is ever sent.
 */
export function loggedFailure (error: unknown, request: FastifyRequest): PluginError {
  const failure = toPluginError(error)
  if (failure.code === 'FST_GOOGLE_OAUTH_INTERNAL') {
    const source = (failure.reason === 'unexpected' ? error : failure.cause ?? error) as Error | undefined
    request.log.error({ reason: failure.reason, err: { type: source?.name, stack: redact(String(source?.stack ?? source)) } }, 'google sign-in failed unexpectedly')
  } else {
    request.log.debug({ code: failure.code, reason: failure.reason }, 'google sign-in refused')
  }
  return failure
}

/** Error handler for the plugin's routes: logs a reason (never a secret), answers HTML or JSON. */
export function createErrorHandler (pages: ErrorPages) {
  return function handleError (error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    return sendError(request, reply, loggedFailure(error, request), pages)
  }
}

/** Sends an error the way the client wants it: a small HTML page for browsers, JSON otherwise. */
export function sendError (request: FastifyRequest, reply: FastifyReply, failure: PluginError, pages: ErrorPages): FastifyReply {
  reply.header('cache-control', 'no-store')
  const retryUrl = failure.returnTo === undefined || failure.returnTo === '/'
    ? pages.loginUrl
    : `${pages.loginUrl}${pages.loginUrl.includes('?') ? '&' : '?'}returnTo=${encodeURIComponent(failure.returnTo)}`
  if (prefersHtml(request)) {
    const title = TITLES_BY_CODE[failure.code] ?? TITLES[failure.statusCode] ?? STATUS_CODES[failure.statusCode] ?? 'Error'
    const user = request.googleUser
    const signedInAs = user === null ? null : user.email ?? user.name ?? user.id
    return sendPage(reply, failure.statusCode, errorPage(title, failure.message, failure.code, waysOn(request, failure, retryUrl, signedInAs !== null), pages.app, signedInAs))
  }
  // A refused token's client, or one that sent a token, signs in with Google's own SDK, not at the login page.
  const bearer = failure.code === 'FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN' || carriesBearer(request)
  return reply.code(failure.statusCode).send(errorBody(failure, bearer ? null : retryUrl))
}

/**
 * Where an error page leads: to grant the access a page needs; for a person still signed in (a
 * grant for another account refused, Google failing during a grant), on to where they were going
 * or to sign out (to use another account); otherwise back to sign in, keeping where they were going.
 */
function waysOn (request: FastifyRequest, failure: PluginError, retryUrl: string, signedIn: boolean): PageLink[] {
  if (failure.grantUrl !== undefined) return [{ url: failure.grantUrl, text: 'Grant access' }]
  if (!signedIn) return [{ url: retryUrl, text: 'Back to sign in' }]
  const onward = { url: failure.returnTo ?? '/', text: failure.code === 'FST_GOOGLE_OAUTH_ACCOUNT_MISMATCH' ? 'Try again with this account' : 'Continue' }
  return [onward, { url: request.server.googleOAuth.routes.logout, text: 'Sign out' }]
}
