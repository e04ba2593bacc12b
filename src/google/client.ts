import { OAuth2Client, type OAuth2ClientOptions } from 'google-auth-library'
import { fail, type PluginError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import { GOOGLE_ISSUERS } from './endpoints.js'
import { googleAuthFetch } from './fetch.js'

/**
 * How the plugin's google-auth-library clients talk to Google: our endpoints, the pinned issuers
 * (its default list also accepts googleapis.com), a deadline on every call, a small retry budget
 * (by default it has no timeout and retries POSTs several times), and a fetch that refuses
 * redirects and bodies over 1 MB from the token and revocation endpoints.
 */
export function googleClientOptions (options: ResolvedOptions): OAuth2ClientOptions {
  return {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: options.callbackUrl,
    issuers: GOOGLE_ISSUERS,
    endpoints: {
      oauth2AuthBaseUrl: options.endpoints.authorization,
      oauth2TokenUrl: options.endpoints.token,
      oauth2RevokeUrl: options.endpoints.revocation
    },
    transporterOptions: {
      timeout: options.googleTimeout,
      // gaxios passes its own size and redirect limits to no fetch for these calls: enforced here.
      fetchImplementation: googleAuthFetch([options.endpoints.token, options.endpoints.revocation]),
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
  if (isTimeout(error)) return fail('GOOGLE_TIMEOUT', `${step}:timeout`)
  const refused = refusedByFetch(error)
  if (refused !== undefined) return fail('GOOGLE_BAD_RESPONSE', `${step}:${refused}`)
  const failure = error as HttpFailure
  const status = failure.response?.status ?? failure.status
  if (typeof status !== 'number') return fail('GOOGLE_BAD_RESPONSE', `${step}:no-response`)
  const data = failure.response?.data as { error?: unknown } | undefined
  const oauthError = typeof data === 'object' && data !== null && typeof data.error === 'string' ? data.error : undefined
  if (oauthError === 'invalid_grant') return fail('CODE_REJECTED', `${step}:invalid_grant`)
  if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || oauthError === 'redirect_uri_mismatch') {
    return fail('GOOGLE_CLIENT_REJECTED', `${step}:${oauthError}`)
  }
  return fail('GOOGLE_BAD_RESPONSE', `${step}:http-${status}${oauthError ? `:${oauthError.slice(0, 40).replace(/[^\w-]/g, '')}` : ''}`)
}

/** Runs `work`, failing with GOOGLE_TIMEOUT if it has not settled within `ms` (one bound over several calls to Google). */
export async function withDeadline<T> (ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(fail('GOOGLE_TIMEOUT', 'overall-deadline')), ms)
  })
  try {
    return await Promise.race([work(), deadline])
  } finally {
    clearTimeout(timer)
  }
}
