import type { FastifyRequest } from 'fastify'
import type { GoogleIdTokenClaims, GoogleUser } from './types.js'

/**
 * What the app's own functions are given and may return: `onSignIn`, `onEvent` and `loginPage`.
 * Types only, importing nothing from the plugin but `types.ts`, so that the stages that call these
 * functions and the options that name them share one definition without a circle.
 */

/** How a user arrived: Google's redirect flow, Google's button or One Tap, or a Bearer ID token. */
export type SignInMethod = 'redirect' | 'one-tap' | 'bearer'

/** What `onSignIn` receives: the verified user and ID token, the scopes granted, the request. */
export interface SignInContext {
  user: GoogleUser
  claims: Readonly<GoogleIdTokenClaims>
  /** The scopes Google granted (none for One Tap and Bearer tokens: they carry no access). */
  scopes: readonly string[]
  request: FastifyRequest
  /** How the user arrived. With `'bearer'`, what `onSignIn` returns is kept with the token until it expires. */
  method: SignInMethod
}

/** Fields of the app's own (declared by merging into `GoogleUser`) to store with the user; never its `id`. */
export type AppUserFields = Partial<Omit<GoogleUser, 'id'>>

/**
 * The app's say on a sign-in: nothing (sign in as is), an object of fields to store with the user,
 * or `false` (refused); throwing `refuseSignIn(message)` refuses with a message for the person.
 */
export type OnSignIn = (context: SignInContext) => AppUserFields | false | undefined | void | Promise<AppUserFields | false | undefined | void>

/** Why a sign-in was refused: a policy, the app's `onSignIn`, or the hook failing. */
export type SignInRefusal = 'hosted-domain' | 'email-not-verified' | 'email-not-authoritative' | 'email-not-allowed' | 'on-sign-in' | 'account-disabled'

/**
 * A security event Google sent (Cross-Account Protection, the `risc` option) and what was done:
 * `eventType` is the event's short name (`sessions-revoked`, `account-disabled`, … or the full
 * URI of a type the plugin does not know), `userId` the Google account (null for `token-revoked`
 * and `verification`, which name none), `reason` Google's (`hijacking`, `bulk-account`) or null.
 */
export interface SecurityEventReport {
  type: 'security-event'
  eventType: string
  reason: string | null
  /**
   * What the plugin did: `signed-out-everywhere` (and, for a disabled account, `sign-in-blocked`
   * too: both are listed), `sign-in-blocked`, `sign-in-unblocked`, `tokens-dropped`, `none` (only
   * reported), or `handled-by-app` (`onSecurityEvent` returned `'handled'`).
   */
  actions: SecurityEventAction[]
  /** How many sessions were ended or lost their Google tokens, where the store could find them. */
  sessions: number
  /** The `state` of a `verification` event, else null. */
  state: string | null
}

/** One thing the plugin did for a security event. */
export type SecurityEventAction = 'signed-out-everywhere' | 'sign-in-blocked' | 'sign-in-unblocked' | 'tokens-dropped' | 'none' | 'handled-by-app'

interface EventBase {
  /** The Google account (`sub`), when known. */
  userId: string | null
  /** Fastify's id of the request it happened in; null outside a request (`signOutEverywhere`). */
  requestId: string | null
  /** Epoch ms, by the plugin's clock. */
  at: number
}

/**
 * What the plugin reports to `onEvent`, for audit logs and metrics. Never a token, a code or a
 * cookie: ids, reasons and counts only.
 */
export type GoogleOAuthEvent =
  | EventBase & { type: 'sign-in', method: SignInMethod, scopes: string[] }
  | EventBase & { type: 'scopes-granted', scopes: string[] }
  | EventBase & { type: 'sign-in-refused', reason: SignInRefusal }
  | EventBase & { type: 'sign-in-failed', reason: 'on-sign-in-threw' | 'on-sign-in-timeout' | 'on-sign-in-returned-no-object' | 'on-sign-in-changed-id' | 'on-sign-in-returned-no-json' }
  | EventBase & { type: 'sign-out', everywhere: boolean, sessions: number }
  | EventBase & { type: 'session-expired', reason: 'idle' | 'absolute' }
  | EventBase & { type: 'token-refreshed' }
  | EventBase & { type: 'token-refresh-failed', reason: string }
  | EventBase & { type: 'reauth-required' }
  | EventBase & SecurityEventReport
  | EventBase & { type: 'session-bound', algorithm: 'ES256' | 'RS256' }
  | EventBase & { type: 'session-refresh-refused', reason: DeviceRefreshRefusal }

/**
 * Why a device-bound session's refresh was refused: its session ended (`session-ended`), is not
 * bound (`not-bound`), the proof failed (`proof-unreadable`, `proof-not-a-jws`, `proof-signature`, `proof-type`, `proof-algorithm`,
 * `proof-algorithm-changed`, `proof-payload`, `proof-no-challenge`), or it answered a challenge
 * that is not the session's pending one (`challenge-invalid`).
 */
export type DeviceRefreshRefusal = string

/** What a page needs to show Google's "Sign in with Google" button and One Tap prompt. */
export interface OneTapPage {
  clientId: string
  /** Where Google's script posts the sign-in: the plugin's One Tap route, naming this page's attempt. */
  loginUri: string
  /** The attempt's nonce: Google puts it in the credential, and the route checks it. */
  nonce: string
  /** Google Identity Services' client script. */
  scriptUrl: string
  button: boolean
  prompt: boolean
}

/** What a custom login page receives. */
export interface LoginPageContext {
  /** URL of the route that starts the Google sign-in, `returnTo` included. */
  startUrl: string
  /** The validated same-origin path the user goes to after signing in. */
  returnTo: string
  request: FastifyRequest
  /**
   * With `oneTap`: the settings of Google's button and One Tap for this page view (render them
   * with Google's HTML API: a `g_id_onload` element with `data-client_id`, `data-login_uri`,
   * `data-nonce`, and the script at `scriptUrl`). Null without `oneTap`.
   */
  oneTap: OneTapPage | null
}
