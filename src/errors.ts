import createError, { type FastifyErrorConstructor } from '@fastify/error'

/** What every code of the plugin's errors starts with. */
const CODE_PREFIX = 'FST_GOOGLE_OAUTH_'

/** One error of the plugin: its code (with the `FST_GOOGLE_OAUTH_` prefix), message and HTTP status. */
const define = (code: string, message: string, status: number): FastifyErrorConstructor =>
  createError(`${CODE_PREFIX}${code}`, message, status)

/**
 * Every error the plugin can produce, declared once.
 * Codes are stable: hosts and tests may rely on them. docs/api.md lists each one.
 */
export const errors = {
  /** Thrown at registration: an option is missing or wrong. */
  INVALID_OPTION: define('INVALID_OPTION', 'Invalid fastify-google-oauth option: %s', 500),
  /** Thrown at registration: the plugin is already registered on this app (in this context or another one). */
  ALREADY_REGISTERED: define('ALREADY_REGISTERED', 'fastify-google-oauth is already registered on this app. Register it once, at the root (await app.register(googleOAuth, options)), and use fastify.googleOAuth in every context.', 500),
  /** Thrown at startup: a route is guarded by the guard of another Fastify app (it would read that app's sessions). */
  FOREIGN_GUARD: define('FOREIGN_GUARD', 'These routes use the fastify-google-oauth guard of another Fastify app: %s. Use this app\'s fastify.googleOAuth guards (authenticate, requireScopes, sameOrigin) on them.', 500),

  /** A guarded route was requested without a signed-in user (also: `updateUser` without a session, a grant of more scopes whose session ended meanwhile). */
  UNAUTHENTICATED: define('UNAUTHENTICATED', 'Sign-in required.', 401),

  /**
   * A Bearer token was refused: a malformed header (RFC 6750 `invalid_request`), or a token that is
   * not a valid Google ID token for this app, carries a sign-in's nonce, or was issued before its
   * user was signed out everywhere (`invalid_token`).
   */
  INVALID_BEARER_TOKEN: define('INVALID_BEARER_TOKEN', 'The Bearer token is not a valid Google ID token for this app.', 401),
  /** The signed-in user has not granted the Google scopes this route needs; `grantUrl` asks for them. */
  INSUFFICIENT_SCOPE: define('INSUFFICIENT_SCOPE', '%s', 403),

  /** The callback (or a post to the One Tap route) arrived without a state parameter. */
  STATE_MISSING: define('STATE_MISSING', 'The sign-in response carried no state. Start the sign-in again.', 400),
  /** No pending sign-in attempt in this browser matches the state (another browser, already used, or forged). */
  STATE_MISMATCH: define('STATE_MISMATCH', 'This sign-in could not be matched to one started in this browser: %s', 400),
  /** The pending sign-in attempt is older than the allowed time. */
  STATE_EXPIRED: define('STATE_EXPIRED', 'This sign-in attempt expired. Start the sign-in again.', 400),
  /** The callback's query string is malformed (repeated, empty, oversized or missing parameters). */
  INVALID_CALLBACK: define('INVALID_CALLBACK', 'The sign-in response is malformed. Start the sign-in again.', 400),
  /** The callback's `iss` parameter names another issuer than Google (RFC 9207). */
  ISSUER_MISMATCH: define('ISSUER_MISMATCH', 'The sign-in response came from an unexpected issuer.', 400),
  /** The person cancelled or refused consent at Google. */
  ACCESS_DENIED: define('ACCESS_DENIED', 'Sign-in was cancelled at Google.', 403),
  /** Google redirected back with an error other than access_denied. */
  PROVIDER_ERROR: define('PROVIDER_ERROR', 'Google could not complete the sign-in (%s).', 400),
  /** Google refused the authorization code (reused, expired, or issued to someone else). */
  CODE_REJECTED: define('CODE_REJECTED', 'Google refused this sign-in code; it may have been used already. Start the sign-in again.', 400),
  /** The account's hosted domain is not the one the app is restricted to. */
  HOSTED_DOMAIN_MISMATCH: define('HOSTED_DOMAIN_MISMATCH', 'This app only accepts accounts of its own Google Workspace domain.', 403),
  /** Google's grant of more scopes came back for another account than the signed-in one; nothing changed. */
  ACCOUNT_MISMATCH: define('ACCOUNT_MISMATCH', 'You chose another Google account than the one you are signed in with. Nothing was changed: choose the same account, or sign out first.', 403),
  /** A scope was asked for that the app never asks for (not in `scopes`, nor in any `requireScopes` guard). */
  UNKNOWN_SCOPE: define('UNKNOWN_SCOPE', 'This app does not ask for that access.', 400),
  /** A One Tap / button sign-in without the `g_csrf_token` cookie and body value, or with different ones. */
  CSRF_TOKEN_MISMATCH: define('CSRF_TOKEN_MISMATCH', 'This sign-in could not be verified as coming from this site. Reload the page and sign in again.', 403),
  /** A credential posted by Google's button or One Tap (through the browser) is malformed or failed verification. */
  CREDENTIAL_INVALID: define('CREDENTIAL_INVALID', 'This sign-in could not be verified. Reload the page and sign in again.', 400),
  /** The Google account was disabled (a Cross-Account Protection `account-disabled` event): no new sign-in until Google says it is enabled again. */
  ACCOUNT_DISABLED: define('ACCOUNT_DISABLED', 'This Google account is disabled for sign-in here until Google re-enables it. Use another account, or try again later.', 403),
  /**
   * The app refused the account: `allowedEmails` / `allowedDomains` (with `emailTrust`), or its
   * `onSignIn` (the message is the app's when it threw `refuseSignIn(message)`).
   */
  SIGN_IN_REFUSED: define('SIGN_IN_REFUSED', '%s', 403),
  /** The account was signed out everywhere (`signOutEverywhere`, a Bearer sign-out) while this sign-in was under way: nothing was stored. */
  SIGN_IN_INTERRUPTED: define('SIGN_IN_INTERRUPTED', 'This account was signed out while the sign-in was under way. Sign in again.', 409),
  /** The app's `onSignIn` did not finish within `onSignInTimeout`. */
  SIGN_IN_HOOK_TIMEOUT: define('SIGN_IN_HOOK_TIMEOUT', 'Signing in took too long. Try again in a moment.', 504),

  /** Google refused our client credentials: clientId / clientSecret are wrong. */
  GOOGLE_CLIENT_REJECTED: define('GOOGLE_CLIENT_REJECTED', 'Google rejected the app\'s client credentials. Check clientId and clientSecret.', 502),
  /** Google answered with an error status, a malformed body, or dropped the connection. */
  GOOGLE_BAD_RESPONSE: define('GOOGLE_BAD_RESPONSE', 'Google sent an unusable response. Try again in a moment.', 502),
  /** The ID token from Google's token endpoint failed verification (signature, issuer, audience, time, nonce or claims). */
  ID_TOKEN_INVALID: define('ID_TOKEN_INVALID', 'Google\'s identity token could not be verified.', 502),
  /** Google did not answer within the deadline. */
  GOOGLE_TIMEOUT: define('GOOGLE_TIMEOUT', 'Google did not answer in time. Try again in a moment.', 504),

  /** A state-changing request came from another site. */
  CROSS_SITE_REQUEST: define('CROSS_SITE_REQUEST', 'This request came from another site and was refused. Go back, reload the page and try again.', 403),
  /** A route-level limiter (e.g. @fastify/rate-limit through `routeOptions`) refused the request; its `Retry-After` is kept. */
  TOO_MANY_REQUESTS: define('TOO_MANY_REQUESTS', 'Too many requests from this address. Wait a moment and try again.', 429),
  /** The user's Google access can no longer be renewed (refresh token revoked or expired, or none was issued): sign in again. */
  REAUTH_REQUIRED: define('REAUTH_REQUIRED', 'Your Google access has expired. Sign in again.', 401),
  /** A request to one of the plugin's routes was refused by Fastify itself (wrong content type, body too large...); the status is Fastify's. */
  INVALID_REQUEST: define('INVALID_REQUEST', 'The request is malformed.', 400),
  /** Something failed that should not have: a bug, or the app's `onSignIn` threw or returned what cannot be stored. Logged with a redacted stack. */
  INTERNAL: define('INTERNAL', 'Something went wrong while signing in. Try again.', 500),
  /** Thrown to the app's code: one of the plugin's functions was given something it cannot take; the message says what to pass. */
  INVALID_ARGUMENT: define('INVALID_ARGUMENT', 'fastify-google-oauth: %s', 500),
  /**
   * Thrown to the app's code: the call cannot work here. `signOutEverywhere` with the app's own
   * @fastify/session (no index of sessions by user); `updateUser` on a request with a Bearer token
   * (no session).
   */
  NOT_SUPPORTED: define('NOT_SUPPORTED', '%s', 501),
  /** A security event token (Cross-Account Protection) is not a compact JWS, or lacks `iat`, `jti` or a usable event (RFC 8935 `invalid_request`). */
  SECURITY_EVENT_MALFORMED: define('SECURITY_EVENT_MALFORMED', 'The security event token is malformed.', 400),
  /** A security event token is not signed with RS256 and a `kid` (`alg: none` included; RFC 8935 `invalid_request`). */
  SECURITY_EVENT_ALGORITHM: define('SECURITY_EVENT_ALGORITHM', 'The security event token must be signed with RS256.', 400),
  /** A security event token names a key that is not in Google's key set (RFC 8935 `invalid_key`). */
  SECURITY_EVENT_UNKNOWN_KEY: define('SECURITY_EVENT_UNKNOWN_KEY', 'The security event token is signed with an unknown key.', 400),
  /** A security event token's signature does not verify with Google's key (RFC 8935 `invalid_key`). */
  SECURITY_EVENT_SIGNATURE: define('SECURITY_EVENT_SIGNATURE', 'The security event token\'s signature is invalid.', 400),
  /** A security event token's `iss` is not the issuer of Google's RISC configuration (RFC 8935 `invalid_issuer`). */
  SECURITY_EVENT_ISSUER: define('SECURITY_EVENT_ISSUER', 'The security event token comes from an unexpected issuer.', 400),
  /** A security event token's `aud` is none of the app's client ids (RFC 8935 `invalid_audience`). */
  SECURITY_EVENT_AUDIENCE: define('SECURITY_EVENT_AUDIENCE', 'The security event token is meant for another audience.', 400),
  /** A security event token carries no `events` object, or an empty one (RFC 8935 `invalid_request`). */
  SECURITY_EVENT_NO_EVENTS: define('SECURITY_EVENT_NO_EVENTS', 'The security event token carries no event.', 400),
  /** A delivery to the security event route is not `application/secevent+jwt` (RFC 8935). */
  SECURITY_EVENT_CONTENT_TYPE: define('SECURITY_EVENT_CONTENT_TYPE', 'Security events must be sent as application/secevent+jwt.', 415),
  /** A device-bound session request (`deviceBound`) lacks its proof or session identifier, or they are malformed, or the session is not bound. */
  DEVICE_BINDING_MALFORMED: define('DEVICE_BINDING_MALFORMED', 'The device-bound session request is malformed.', 400),
  /** A device's proof failed: not of DBSC's type, an algorithm other than ES256 or RS256 (2048 bits or more), a bad signature, or not signed by the session's device key. */
  DEVICE_PROOF_INVALID: define('DEVICE_PROOF_INVALID', 'The device\'s proof could not be verified.', 401),
  /** A bound session's refresh without a proof: the answer's `Secure-Session-Challenge` header holds the challenge to sign. */
  DEVICE_PROOF_REQUIRED: define('DEVICE_PROOF_REQUIRED', 'Sign the challenge in the Secure-Session-Challenge header with the session\'s device key.', 403),
  /** A device's proof signed a challenge that is not the session's pending one: expired, used already, or another session's. A refresh answer carries a new one. */
  DEVICE_CHALLENGE_INVALID: define('DEVICE_CHALLENGE_INVALID', 'The device\'s proof answers an expired or unknown challenge.', 403),
  /** A second registration for a session bound already: its device key is never replaced. */
  DEVICE_ALREADY_BOUND: define('DEVICE_ALREADY_BOUND', 'This session is already bound to a device.', 409),
  /** A route guarded by `requireDeviceBound` was requested with a session that is not bound to its device. */
  DEVICE_BOUND_REQUIRED: define('DEVICE_BOUND_REQUIRED', 'This page needs a session bound to this device. Sign in again in a browser that supports device-bound sessions (Chrome).', 403),
  /** The session store failed (for example Redis is unreachable). */
  SESSION_STORE_UNAVAILABLE: define('SESSION_STORE_UNAVAILABLE', 'Sessions are unavailable right now. Try again in a moment.', 503)
} as const

export type ErrorName = keyof typeof errors

/** An error raised by this plugin, with a reason for the debug log (never shown to the client). */
export interface PluginError extends Error {
  code: string
  statusCode: number
  reason?: string
  /** Where a sign-in that failed meant to go: kept on the "try again" link. */
  returnTo?: string
  /** INSUFFICIENT_SCOPE: where to grant the missing scopes, and which they are. */
  grantUrl?: string
  missingScopes?: string[]
}

/** Creates a plugin error carrying a short machine reason for the logs. */
export function pluginError (name: ErrorName, reason?: string, ...args: string[]): PluginError {
  const error = new errors[name](...args) as PluginError
  if (reason !== undefined) error.reason = reason
  return error
}

/** True for an error with one of the plugin's codes (`FST_GOOGLE_OAUTH_…`). */
export function isPluginError (error: unknown): error is PluginError {
  return typeof error === 'object' && error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as { code: string }).code.startsWith(CODE_PREFIX)
}

/** The name of the plugin's error with this code (`FST_GOOGLE_OAUTH_STATE_MISMATCH` → `STATE_MISMATCH`), or null. */
export function errorNameOf (code: string): ErrorName | null {
  const name = code.slice(CODE_PREFIX.length)
  return code.startsWith(CODE_PREFIX) && Object.hasOwn(errors, name) ? name as ErrorName : null
}
