import type { OAuth2Client } from 'google-auth-library'
import type { LoginAttempts } from '../login-attempt.js'
import type { ResolvedOptions } from '../options.js'

/** What every route of the plugin works with, built once at registration. */
export interface RouteContext {
  options: ResolvedOptions
  google: OAuth2Client
  attempts: LoginAttempts
  /** True when the plugin registered @fastify/session itself (it knows the cookie's name and attributes). */
  ownSession: boolean
}
