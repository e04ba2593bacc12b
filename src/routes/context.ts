import type { OAuth2Client } from 'google-auth-library'
import type { IdTokenVerifier } from '../id-token.js'
import type { LoginAttempts } from '../login-attempt.js'
import type { ResolvedOptions } from '../options.js'
import type { Sessions } from '../session/index.js'

/** What every route of the plugin works with, built once at registration. */
export interface RouteContext {
  options: ResolvedOptions
  google: OAuth2Client
  idTokens: IdTokenVerifier
  attempts: LoginAttempts
  sessions: Sessions
}
