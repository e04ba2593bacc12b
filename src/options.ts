import type { FastifyContextConfig, onRequestHookHandler } from 'fastify'
import type { GoogleEndpoints } from './google/endpoints.js'
import type { GoogleOAuthEvent, LoginPageContext, OnSignIn } from './hooks.js'
import type { RiscOptions } from './risc/types.js'
import type { Clock, RoutePaths, SessionStoreLike } from './types.js'

/**
 * The plugin's options as an app passes them. Types only: `options/resolve.ts` validates them
 * (one reader per option, in `options/table.ts`) into `ResolvedOptions`.
 */

export type { LoginPageContext } from './hooks.js'
export type { BearerSettings, Policies, ResolvedOptions } from './options/resolved.js'
export type { Clock, RoutePaths, SessionStoreLike } from './types.js'

export interface GoogleOAuthOptions {
  /** OAuth client id from Google Cloud console (or give `clientSecretsFile`). */
  clientId?: string | undefined
  /** OAuth client secret (or give `clientSecretsFile`). */
  clientSecret?: string | undefined
  /** Path to the `client_secrets.json` downloaded from Google Cloud console. */
  clientSecretsFile?: string | undefined
  /** Absolute URL of the callback route, registered in Google Cloud console. */
  callbackUrl: string | undefined
  /** Session secret, at least 32 characters; an array rotates keys (the first signs, all verify). `undefined` (an unset variable) fails at registration. */
  secret: string | readonly string[] | undefined
  /** Prefix for the plugin's routes. Default `''`. */
  prefix?: string
  /**
   * Fastify route options for the plugin's own routes, for route-level plugins such as
   * @fastify/rate-limit: `all` for every route, or a route by its name in
   * `fastify.googleOAuth.routes` (`login`, `start`, `callback`, `logout`, `oneTap`, `risc`, `dbscRegister`, `dbscRefresh`; its settings
   * are added to `all`'s, its `config` keys winning). E.g. `{ start: { config: { rateLimit: { max: 10, timeWindow: '1 minute' } } } }`.
   * Register such plugins before this one: they read `config` as the routes are added.
   */
  routeOptions?: { [K in keyof RoutePaths | 'all']?: PluginRouteOptions | undefined } | undefined
  /** Extra scopes; `openid email profile` are always requested. */
  scopes?: string[] | undefined
  /**
   * Only accept accounts of this Google Workspace domain, or of one of these (checked on the ID
   * token's `hd` claim; a single domain is also sent to Google as the `hd` hint).
   */
  hostedDomain?: string | string[] | undefined
  /** Only these addresses may sign in (exact; the domain case-insensitive; verified addresses only). */
  allowedEmails?: string[] | undefined
  /** Only addresses of these domains may sign in (case-insensitive; verified addresses only). */
  allowedDomains?: string[] | undefined
  /**
   * Which addresses `allowedEmails` and `allowedDomains` count. `'verified'` (default): any address
   * Google marks verified. `'authoritative'`: only addresses Google speaks for, a Gmail address or
   * a Workspace account's own-domain address (`hd`); a consumer Google account made on a company
   * address keeps its "verified" mark after the person leaves the company.
   */
  emailTrust?: 'verified' | 'authoritative' | undefined
  /**
   * Called after the ID token is verified and the policies passed, before any session is written:
   * return nothing (sign in as is), fields of your own to store with the user (`{ role: 'admin' }`,
   * typed by declaration merging of `GoogleUser`), `false` or `throw refuseSignIn(message)` to
   * refuse. Anything else it throws is a 500; it is bounded by `onSignInTimeout`.
   */
  onSignIn?: OnSignIn | undefined
  /**
   * Most time `onSignIn` may take (ms), at most 2 147 483 647 (about 24.8 days, the longest delay
   * Node's timers keep); then the sign-in fails with SIGN_IN_HOOK_TIMEOUT. `false`: no limit (a
   * hook that never settles holds its sign-in until the browser gives up). Default 10 000.
   */
  onSignInTimeout?: number | false | undefined
  /** Receives the plugin's events (sign-in, refusals, sign-out, expiry, refreshes) for audit logs and metrics. Never a token. */
  onEvent?: ((event: GoogleOAuthEvent) => void | Promise<void>) | undefined
  /**
   * Also accept `Authorization: Bearer <Google ID token>` in the guard, for mobile apps, SPAs and
   * CLIs that signed in with Google's own SDKs and call this app's API. No session, no cookie.
   * `true` accepts tokens issued to `clientId`; the object adds other audiences (web client ids)
   * and authorized parties (Android and iOS client ids). Off by default.
   */
  bearer?: boolean | BearerOptions | undefined
  /**
   * Google's "Sign in with Google" button and One Tap on the built-in login page, and the route
   * that accepts their sign-ins (`POST <prefix>/oauth2/google/one-tap`). `true` shows both;
   * `{ prompt: false }` only the button, `{ button: false }` only the One Tap prompt. Off by default.
   */
  oneTap?: boolean | OneTapOptions | undefined
  /** Passed to Google as `login_hint`. */
  loginHint?: string | undefined
  /** Passed to Google as `prompt` (e.g. `'consent'`, `'select_account'`). */
  prompt?: string | undefined
  /** `'offline'` asks Google for a refresh token. Default `'online'`. */
  accessType?: 'online' | 'offline' | undefined
  /** Passed to Google as `include_granted_scopes`. */
  includeGrantedScopes?: boolean | undefined
  /** `false` disables the built-in login page; a function replaces its HTML. */
  loginPage?: false | ((context: LoginPageContext) => string | Promise<string>) | undefined
  /** Where the guard sends signed-out page navigations. Default: the login page, or the start route when the page is disabled. */
  loginUrl?: string | undefined
  /** Where the browser goes after signing out. Default `'/'`. */
  afterLogout?: string | undefined
  /** Revoke the user's Google token at sign-out (this removes the app's access: the next sign-in asks for consent again). Default false. */
  revokeOnLogout?: boolean | undefined
  /** The app's name, shown on the login, sign-out and error pages. */
  appName?: string | undefined
  /** Where the pages' "back to the app" link goes. Default `'/'`. */
  appUrl?: string | undefined
  /**
   * The name of the guard on the Fastify instance, `fastify.authenticate` by default. Another name
   * (e.g. `'googleAuthenticate'`) when the app already has an `authenticate` (as @fastify/jwt's
   * recipe makes one), or `false` for none: `fastify.googleOAuth.authenticate` is always there.
   */
  authenticateDecorator?: string | false | undefined
  /**
   * With the app's own @fastify/session: the app's session data to keep when a sign-in gives the
   * session a new id (fixation defence). `false` (default) keeps none, `true` keeps every key, or
   * name the keys to keep (e.g. `['cart']`).
   */
  keepSessionInfo?: boolean | string[] | undefined
  /** Session cookie settings. */
  cookie?: {
    /** Default `__Host-goauth.sid` with an https callback, `goauth.sid` otherwise. */
    name?: string | undefined
    /** Default: true when `callbackUrl` is https. */
    secure?: boolean | undefined
  } | undefined
  /**
   * Sign the user out after this much inactivity (ms), at most 2 147 483 647 (about 24.8 days).
   * `false`: no idle limit, sessions end at `absoluteTimeout` only. Default 24 h.
   */
  idleTimeout?: number | false | undefined
  /**
   * Sign the user out this long after signing in, whatever the activity (ms), at most
   * 2 147 483 647 (about 24.8 days). Also the cookie's lifetime. Cannot be turned off.
   * Default 7 days (or `idleTimeout`, if longer).
   */
  absoluteTimeout?: number | undefined
  /** Any @fastify/session store. Default: a bounded in-memory store. */
  store?: SessionStoreLike | undefined
  /** Most sessions the default in-memory store keeps. Default 10 000. */
  maxSessions?: number | undefined
  /** Most sessions one user may hold in the default in-memory store; that user's oldest go first. Default 10. */
  maxSessionsPerUser?: number | undefined
  /** How long a started sign-in stays valid (ms), at most 2 147 483 647 (about 24.8 days). Cannot be turned off. Default 10 min. */
  loginTimeout?: number | undefined
  /**
   * Deadline for each call to Google (ms), at most 2 147 483 647 (about 24.8 days); a whole
   * sign-in's calls are bounded by 2.5 × this, within the same limit. Cannot be turned off.
   * Default 4 000.
   */
  googleTimeout?: number | undefined
  /**
   * Override Google's URLs (for the fake Google in tests, or a proxy): any of `authorization`,
   * `token`, `userinfo`, `revocation`, `jwks` and `gsiClient` (the keys of `GOOGLE_ENDPOINTS`).
   */
  /**
   * Cross-Account Protection: receive the security events Google sends about the app's users
   * (`POST {prefix}/oauth2/google/risc`) and act on them: `true`, or `{ audiences, onSecurityEvent }`.
   * Off by default. See docs/risc.md.
   */
  risc?: boolean | RiscOptions | undefined
  /**
   * Device-bound sessions (DBSC): a browser that supports them (Chrome) binds its session to a key
   * it cannot export, and the session cookie becomes short-lived, renewed only with a proof of that
   * key, so a copied cookie stops working within `cookieLifetime`. `true`, or `{ cookieLifetime,
   * challengeLifetime }` (ms; defaults 600 000 and 120 000). Needs https and the plugin's own sessions (refused at
   * startup otherwise). Off by default. See docs/device-bound.md.
   */
  deviceBound?: boolean | DeviceBoundOptions | undefined
  endpoints?: { [K in keyof GoogleEndpoints]?: string | undefined } | undefined
  /**
   * The time the plugin goes by for session timeouts, sign-in attempt expiry, the default store's
   * expiry and the store deadline. Default: the system clock. Tests pass a fake one to move time
   * without waiting (see docs/testing.md).
   */
  clock?: Clock | undefined
}

/**
 * What the `routeOptions` option gives one of the plugin's routes. The rest of a route's options
 * (its handler, schema, body limit, error handler) are the plugin's own.
 */
export interface PluginRouteOptions {
  /** The route's `config` (`request.routeOptions.config`), read by route-level plugins: `{ rateLimit: { max: 10, timeWindow: '1 minute' } }`. */
  config?: FastifyContextConfig | undefined
  /**
   * `onRequest` hooks of the route (an allow-list of addresses, a limiter of your own): after the
   * app-wide ones, before the route's own (the sign-out route's same-origin check) and its handler.
   */
  onRequest?: onRequestHookHandler | onRequestHookHandler[] | undefined
}

/** The `bearer` option's settings. */
export interface BearerOptions {
  /** `aud` values accepted besides `clientId` (e.g. another web client of the same project). */
  audiences?: string[] | undefined
  /** `azp` values accepted besides `clientId`: the Android or iOS client ids that ask Google for tokens for this server. */
  authorizedParties?: string[] | undefined
  /** Most verified tokens kept in memory (each until its `exp`). Default 10 000. */
  cacheSize?: number | undefined
  /**
   * Accept tokens that carry a `nonce`. Default false: a token with a nonce was issued for a
   * sign-in (this app's redirect flow or One Tap), and such a token, if it leaked, must not work
   * as an API credential. Set it when your mobile app sets a nonce of its own.
   */
  acceptNonce?: boolean | undefined
}

/** The `deviceBound` option's settings. */
export interface DeviceBoundOptions {
  /** How long a bound session's cookie counts (ms) before the browser must renew it with a proof. Default 600 000 (10 minutes). */
  cookieLifetime?: number | undefined
  /** How long a challenge can be answered (ms). Default 120 000 (2 minutes). */
  challengeLifetime?: number | undefined
}

/** The `oneTap` option's settings. */
export interface OneTapOptions {
  /** Show the "Sign in with Google" button. Default true. */
  button?: boolean | undefined
  /** Show the One Tap prompt. Default true. */
  prompt?: boolean | undefined
}
