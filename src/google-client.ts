import { OAuth2Client, type OAuth2ClientOptions } from 'google-auth-library'
import { fail, type PluginError } from './errors.js'
import { GOOGLE_ISSUERS } from './google-endpoints.js'
import { googleAuthFetch } from './google-fetch.js'
import type { ResolvedOptions } from './options.js'

/**
 * The google-auth-library client the plugin talks to Google with: our endpoints, the pinned
 * issuers (its default list also accepts googleapis.com), a deadline on every call, a small
 * retry budget (by default it has no timeout and retries POSTs several times), and a fetch that
 * refuses redirects and bodies over 1 MB from the token and revocation endpoints.
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

export function createGoogleClient (options: ResolvedOptions): OAuth2Client {
  return new OAuth2Client(googleClientOptions(options))
}

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

/** What a successful code exchange gives us. */
export interface TokenSet {
  accessToken: string
  refreshToken: string | null
  idToken: string
  expiresAt: number | null
  scope: string | null
}

/** Exchanges an authorization code (with its PKCE verifier) for tokens. */
export async function exchangeCode (client: OAuth2Client, code: string, codeVerifier: string): Promise<TokenSet> {
  let tokens: Record<string, unknown>
  try {
    const response = await client.getToken({ code, codeVerifier })
    tokens = response.tokens as Record<string, unknown>
  } catch (error) {
    throw googleFailure(error, 'token')
  }
  if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens)) {
    throw fail('GOOGLE_BAD_RESPONSE', 'token:not-json')
  }
  const { access_token: accessToken, id_token: idToken, refresh_token: refreshToken, expiry_date: expiresAt, scope } = tokens
  if (typeof idToken !== 'string' || idToken === '') throw fail('GOOGLE_BAD_RESPONSE', 'token:no-id-token')
  if (typeof accessToken !== 'string' || accessToken === '') throw fail('GOOGLE_BAD_RESPONSE', 'token:no-access-token')
  return {
    accessToken,
    idToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : null,
    expiresAt: typeof expiresAt === 'number' ? expiresAt : null,
    scope: typeof scope === 'string' ? scope : null
  }
}
