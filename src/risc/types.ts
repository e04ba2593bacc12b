import type { FastifyRequest } from 'fastify'

/**
 * Cross-Account Protection (RISC): the security events Google pushes to the app, as the app's
 * `onSecurityEvent` sees them. Types only, importing nothing from the plugin.
 */

/** The event types the plugin knows, by their short names. */
export type SecurityEventType =
  | 'sessions-revoked'
  | 'account-disabled'
  | 'account-enabled'
  | 'account-credential-change-required'
  | 'verification'
  | 'tokens-revoked'
  | 'token-revoked'

/** One event of a verified security event token. */
export interface SecurityEvent {
  /** The short name of a known type, or the full URI of one the plugin does not know. */
  type: SecurityEventType | (string & {})
  /** The full event type URI, as Google sent it. */
  uri: string
  /** The Google account (`sub`) the event is about; null for `token-revoked` and `verification`. */
  userId: string | null
  /** `account-disabled`'s `reason` (`hijacking`, `bulk-account`), or null. */
  reason: string | null
  /** `verification`'s `state`, or null. */
  state: string | null
  /** The token's `jti`: Google may deliver one token more than once; the plugin acts on it once. */
  id: string
  /** When Google issued the token (its `iat`, epoch ms). */
  issuedAt: number
  /** The event's own claims, as Google sent them (for `token-revoked`: which token, by prefix or hash). */
  claims: Readonly<Record<string, unknown>>
}

/**
 * What `onSecurityEvent` decides: `'handled'` skips the plugin's default action for the event (the
 * app did what it wanted); `'default'` or nothing runs the default action after the hook.
 */
export type SecurityEventDecision = 'default' | 'handled'

/**
 * The app's say on a security event, called for each event of a verified, first-delivered token,
 * before the default action. Return `'handled'` to replace the default, nothing (or `'default'`)
 * to add to it. What it throws makes the delivery fail (500) so that Google sends it again.
 */
export type OnSecurityEvent = (event: SecurityEvent, context: { request: FastifyRequest }) =>
  SecurityEventDecision | undefined | void | Promise<SecurityEventDecision | undefined | void>

/** The `risc` option's settings. */
export interface RiscOptions {
  /**
   * `aud` values accepted besides `clientId`: the other OAuth client ids of the project (Google
   * sends a project's events to its receiver with the client id the user signed in through).
   */
  audiences?: string[] | undefined
  /** Replaces or extends the default action of each event (see {@link OnSecurityEvent}). */
  onSecurityEvent?: OnSecurityEvent | undefined
}
