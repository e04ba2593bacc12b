import { STATUS_CODES } from 'node:http'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { pluginError, isPluginError, type PluginError } from '../errors.js'
import { errorPage } from '../pages/error-page.js'
import { sendPage, type AppInfo } from '../pages/html.js'
import { redact } from './log.js'
import { prefersHtml } from './request-kind.js'

const TITLES_BY_CODE: Record<string, string> = {
  FST_GOOGLE_OAUTH_ACCESS_DENIED: 'Sign-in cancelled',
  FST_GOOGLE_OAUTH_STATE_EXPIRED: 'Sign-in took too long',
  FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE: 'More access needed',
  FST_GOOGLE_OAUTH_ACCOUNT_MISMATCH: 'Another Google account'
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

/** The JSON body of every error the plugin answers; a 401 also says where to sign in. */
export interface ErrorBody {
  statusCode: number
  code: string
  error: string
  message: string
  loginUrl?: string
  /** INSUFFICIENT_SCOPE: the URL that asks Google for the missing scopes, and which they are. */
  grantUrl?: string
  missingScopes?: string[]
}

export function errorBody (failure: PluginError, loginUrl: string): ErrorBody {
  return {
    statusCode: failure.statusCode,
    code: failure.code,
    error: STATUS_CODES[failure.statusCode] ?? 'Error',
    message: failure.message,
    ...(failure.statusCode === 401 && { loginUrl }),
    ...(failure.grantUrl !== undefined && { grantUrl: failure.grantUrl, missingScopes: failure.missingScopes ?? [] })
  }
}

/** Our error for anything a route threw: Fastify's own 4xx refusals become INVALID_REQUEST (their status kept), anything else unexpected a generic 500. */
function toPluginError (error: unknown): PluginError {
  if (isPluginError(error)) return error
  const status = (error as { statusCode?: unknown }).statusCode
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
    const link = failure.grantUrl === undefined ? { url: retryUrl, text: 'Back to sign in' } : { url: failure.grantUrl, text: 'Grant access' }
    return sendPage(reply, failure.statusCode, errorPage(title, failure.message, failure.code, link, pages.app))
  }
  return reply.code(failure.statusCode).send(errorBody(failure, retryUrl))
}
