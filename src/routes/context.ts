import type { OAuth2Client } from 'google-auth-library'
import type { IdTokenVerifier } from '../google/verify-id-token.js'
import type { ErrorPages } from '../http/error-reply.js'
import type { ResolvedOptions } from '../options.js'
import type { Sessions } from '../session/sessions.js'
import type { LoginAttempts } from '../sign-in/attempt.js'

/** What every route of the plugin works with, built once at registration. */
export interface RouteContext {
  options: ResolvedOptions
  google: OAuth2Client
  idTokens: IdTokenVerifier
  attempts: LoginAttempts
  sessions: Sessions
  /** Where error pages and the login page point. */
  pages: ErrorPages
}
