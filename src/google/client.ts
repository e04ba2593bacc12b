import { OAuth2Client, type OAuth2ClientOptions } from 'google-auth-library'
import { deadline, type Deadline, type Timers } from '../deadline.js'
import { pluginError, type PluginError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { ID_TOKEN_ISSUERS } from './endpoints.js'
import { googleAuthFetch } from './fetch.js'

/**
 * How the plugin's google-auth-library clients talk to Google: our endpoints, the pinned issuers
 * (its default list also accepts googleapis.com), a deadline of `googleTimeout` on every call, on
 * the plugin's clock, a small retry budget (by default it has no timeout and retries POSTs several
 * times), and a fetch that refuses redirects and bodies over 1 MB from the token and revocation
 * endpoints. With a fake clock the test owns time: a call that Google never answers waits until
 * the test moves the clock past `googleTimeout`.
 */
export function googleClientOptions (options: ResolvedOptions): OAuth2ClientOptions {
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.callbackUrl,
    issuers: [...ID_TOKEN_ISSUERS],
    endpoints: {
      oauth2AuthBaseUrl: options.endpoints.authorization,
      oauth2TokenUrl: options.endpoints.token,
      oauth2RevokeUrl: options.endpoints.revocation
    },
    transporterOptions: {
      // gaxios passes its own size and redirect limits to no fetch for these calls, and would time
      // them on the system's clock: the fetch enforces both.
      fetchImplementation: googleAuthFetch([options.endpoints.token, options.endpoints.revocation], { clock: options.clock, ms: options.googleTimeout }),
      retryConfig: {
        retry: 1,
        noResponseRetries: 0,
        retryDelay: 200,
        statusCodesToRetry: [[429, 429], [500, 599]]
      }
    }
  }
}

/** The app's own client (authorization URL, code exchange, revocation). */
export const createGoogleClient = (options: ResolvedOptions): OAuth2Client => new OAuth2Client(googleClientOptions(options))

interface HttpFailure {
  name?: string
  code?: string | number
  type?: string
  status?: number
  response?: { status?: number, data?: unknown }
  cause?: unknown
}

/** The errors an error was caused by, itself first (a few levels deep). */
function causes (error: unknown): HttpFailure[] {
  const chain: HttpFailure[] = []
  for (let current = error as HttpFailure | undefined; current && chain.length < 5; current = current.cause as HttpFailure | undefined) chain.push(current)
  return chain
}

const isTimeout = (error: unknown): boolean =>
  causes(error).some((c) => c.name === 'TimeoutError' || c.name === 'AbortError' || c.code === 'ETIMEDOUT' || c.code === 23)

/** node-fetch's refusals of a body over the limit or of a redirect, as a reason for the log. */
function refusedByFetch (error: unknown): string | undefined {
  const type = causes(error).find((c) => c.name === 'FetchError')?.type
  if (type === 'max-size') return 'too-large'
  if (type === 'no-redirect' || type === 'max-redirect') return 'redirect'
  return undefined
}

/**
 * Turns a failed call to Google into one of our errors. Never keeps google-auth-library's
 * message or config: they can contain the code, the verifier or whole tokens.
 */
export function googleFailure (error: unknown, step: string): PluginError {
  if (isTimeout(error)) return pluginError('GOOGLE_TIMEOUT', `${step}:timeout`)
  const refused = refusedByFetch(error)
  if (refused !== undefined) return pluginError('GOOGLE_BAD_RESPONSE', `${step}:${refused}`)
  const failure = error as HttpFailure
  const status = failure.response?.status ?? failure.status
  if (typeof status !== 'number') return pluginError('GOOGLE_BAD_RESPONSE', `${step}:no-response`)
  const data = failure.response?.data as { error?: unknown } | undefined
  const oauthError = typeof data === 'object' && data !== null && typeof data.error === 'string' ? data.error : undefined
  if (oauthError === 'invalid_grant') return pluginError('CODE_REJECTED', `${step}:invalid_grant`)
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || oauthError === 'redirect_uri_mismatch') {
    return pluginError('GOOGLE_CLIENT_REJECTED', `${step}:${oauthError}`)
  }
  return pluginError('GOOGLE_BAD_RESPONSE', `${step}:http-${status}${oauthError ? `:${oauthError.slice(0, 40).replace(/[^\w-]/g, '')}` : ''}`)
}

/** The process's own timers, for a bound set where no plugin clock is given. */
const SYSTEM_TIMERS: Timers = { setTimeout, clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) }

const overallTimeout = (): PluginError => pluginError('GOOGLE_TIMEOUT', 'overall-deadline')

/**
 * Runs `work`, failing with GOOGLE_TIMEOUT if it has not settled within `ms` on `clock` (one bound
 * over several calls to Google); `work` is given the deadline (its signal stops the calls when the
 * time is up). Give the plugin's clock: without one, the bound runs on the system's.
 */
export async function withDeadline<T> (ms: number, work: (deadline: Deadline) => Promise<T>, clock: Timers = SYSTEM_TIMERS): Promise<T> {
  return await deadline(clock, ms, overallTimeout, work)
}
