/**
 * The types shared across the plugin's stages and with the app. This file imports nothing from
 * the plugin, so that every module can import it without a circle.
 */

/**
 * The signed-in Google user. Extend it by declaration merging:
 * `declare module 'fastify-google-oauth' { interface GoogleUser { role?: string } }`.
 */
export interface GoogleUser {
  /** Google's stable account id (the ID token's `sub`). Use this, never the email, as the key. */
  id: string
  email: string | null
  /** True only when Google said so with the boolean `true`. */
  emailVerified: boolean
  name: string | null
  givenName: string | null
  familyName: string | null
  picture: string | null
  locale: string | null
  /** The Google Workspace domain (`hd` claim), or null for consumer accounts. */
  hostedDomain: string | null
}

/**
 * Google tokens as a session store holds them: AES-256-GCM under a key derived from `secret`
 * (read them with `request.googleTokens`).
 */
export interface SealedTokens {
  readonly sealed: string
}

/** The Google tokens of the signed-in user. Kept in the server-side session only, sealed. */
export interface GoogleTokens {
  accessToken: string
  refreshToken: string | null
  idToken: string
  /** Epoch ms when the access token expires, if Google said. */
  expiresAt: number | null
  scope: string | null
}

/** The claims of a verified Google ID token (the ones Google sends; others may come too). */
export interface GoogleIdTokenClaims {
  iss: string
  sub: string
  aud: string
  azp?: string
  iat: number
  exp: number
  email?: string
  email_verified?: boolean
  hd?: string
  name?: string
  given_name?: string
  family_name?: string
  picture?: string
  locale?: string
  nonce?: string
  at_hash?: string
  [claim: string]: unknown
}

/** The plugin's routes, with the prefix. */
export interface RoutePaths {
  login: string
  start: string
  callback: string
  logout: string
  /** Where Google's button and One Tap post their sign-ins (served only with the `oneTap` option). */
  oneTap: string
  /** Where Google delivers Cross-Account Protection's security events: present only with the `risc` option. */
  risc?: string
  /** Where a browser registers its device key for the session (DBSC): present only with the `deviceBound` option. */
  dbscRegister?: string
  /** Where a browser renews a device-bound session's cookie with a proof of its key: present only with the `deviceBound` option. */
  dbscRefresh?: string
}

/**
 * A source of time and timers, e.g. `@sinonjs/fake-timers`' `createClock()` as
 * `{ now: () => clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout }`.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now (): number
  setTimeout (callback: () => void, ms: number): unknown
  clearTimeout (handle: unknown): void
}

/**
 * A session store as @fastify/session stores are: `get`, `set` and `destroy` with Node-style
 * callbacks (a store may also return a promise; the callback is what counts). Any
 * @fastify/session store fits, Redis ones included, without a cast.
 */
export interface SessionStoreLike {
  get (sessionId: string, callback: (error: any, session?: any) => void): unknown
  set (sessionId: string, session: any, callback: (error?: any) => void): unknown
  destroy (sessionId: string, callback: (error?: any) => void): unknown
}
