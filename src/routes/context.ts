import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import type { OAuth2Client } from 'google-auth-library'
import type { Emit } from '../events.js'
import type { IdTokenVerifier } from '../google/verify-id-token.js'
import type { ErrorPages } from '../http/error-reply.js'
import type { Identity } from '../http/identity.js'
import type { ResolvedOptions } from '../options.js'
import type { Sessions } from '../session/sessions.js'
import type { Admit } from '../sign-in/admit.js'
import type { LoginAttempts } from '../sign-in/attempt.js'
import type { OneTapSettings } from '../sign-in/one-tap.js'
import type { ScopeRegistry } from '../sign-in/scopes.js'

/** What every route of the plugin works with, built once at registration. */
export interface RouteContext {
  options: ResolvedOptions
  google: OAuth2Client
  idTokens: IdTokenVerifier
  attempts: LoginAttempts
  sessions: Sessions
  /** Where error pages and the login page point. */
  pages: ErrorPages
  /** The policies and the app's onSignIn. */
  admit: Admit
  emit: Emit
  /** Who a request is (its session, or its Bearer token). */
  identity: Identity
  /** The scopes the app may ask for after sign-in. */
  scopes: ScopeRegistry
  /** Google's button and One Tap, with the `oneTap` option. */
  oneTap: OneTapSettings | null
  /** Signs the request's user out, reporting it (the route and `fastify.googleOAuth.signOut` share it). */
  signOut: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  /** Refuses requests from another origin than the app's (the route and `fastify.googleOAuth.sameOrigin` share it). */
  sameOrigin: preHandlerHookHandler
}
