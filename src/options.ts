import type { SessionStore } from '@fastify/session'
import type { FastifyRequest } from 'fastify'
import type { GoogleEndpoints } from './google/endpoints.js'

/**
 * The plugin's options: what an app passes (`GoogleOAuthOptions`) and what the plugin works with
 * once they are validated (`ResolvedOptions`, see `options/resolve.ts`).
 */

/** What a custom login page receives. */
export interface LoginPageContext {
  /** URL of the route that starts the Google sign-in, `returnTo` included. */
  startUrl: string
  /** The validated same-origin path the user goes to after signing in. */
  returnTo: string
  request: FastifyRequest
}

export interface GoogleOAuthOptions {
  /** OAuth client id from Google Cloud console (or give `clientSecretsFile`). */
  clientId?: string
  /** OAuth client secret (or give `clientSecretsFile`). */
  clientSecret?: string
  /** Path to the `client_secrets.json` downloaded from Google Cloud console. */
  clientSecretsFile?: string
  /** Absolute URL of the callback route, registered in Google Cloud console. */
  callbackUrl: string | undefined
  /** Session secret, at least 32 characters; an array rotates keys (the first signs, all verify). `undefined` (an unset variable) fails at registration. */
  secret: string | readonly string[] | undefined
  /** Prefix for the plugin's routes. Default `''`. */
  prefix?: string
  /** Extra scopes; `openid email profile` are always requested. */
  scopes?: string[]
  /** Only accept accounts of this Google Workspace domain (checked on the ID token's `hd` claim). */
  hostedDomain?: string
  /** Passed to Google as `login_hint`. */
  loginHint?: string
  /** Passed to Google as `prompt` (e.g. `'consent'`, `'select_account'`). */
  prompt?: string
  /** `'offline'` asks Google for a refresh token. Default `'online'`. */
  accessType?: 'online' | 'offline'
  /** Passed to Google as `include_granted_scopes`. */
  includeGrantedScopes?: boolean
  /** `false` disables the built-in login page; a function replaces its HTML. */
  loginPage?: false | ((context: LoginPageContext) => string | Promise<string>)
  /** Where the guard sends signed-out page navigations. Default: the login page, or the start route when the page is disabled. */
  loginUrl?: string
  /** Where the browser goes after signing out. Default `'/'`. */
  afterLogout?: string
  /** Revoke the user's Google token at sign-out (this removes the app's access: the next sign-in asks for consent again). Default false. */
  revokeOnLogout?: boolean
  /** Session cookie settings. */
  cookie?: {
    /** Default `__Host-goauth.sid` with an https callback, `goauth.sid` otherwise. */
    name?: string
    /** Default: true when `callbackUrl` is https. */
    secure?: boolean
  }
  /** Sign the user out after this much inactivity (ms). Default 24 h. */
  idleTimeout?: number
  /** Sign the user out this long after signing in, whatever the activity (ms). Default 7 days. */
  absoluteTimeout?: number
  /** Any @fastify/session store. Default: a bounded in-memory store. */
  store?: SessionStore
  /** Most sessions the default in-memory store keeps. Default 10 000. */
  maxSessions?: number
  /** Most sessions one user may hold in the default in-memory store; that user's oldest go first. Default 10. */
  maxSessionsPerUser?: number
  /** How long a started sign-in stays valid (ms). Default 10 min. */
  loginTimeout?: number
  /** Deadline for each call to Google (ms). Default 4 000. */
  googleTimeout?: number
  /**
   * Override Google's URLs (for the fake Google in tests, or a proxy). `certs` and `discovery` are
   * accepted, so the fake Google's `endpoints` can be passed as they are, but never called.
   */
  endpoints?: Partial<GoogleEndpoints> & { certs?: string, discovery?: string }
  /**
   * The time the plugin goes by for session timeouts, sign-in attempt expiry, the default store's
   * expiry and the store deadline. Default: the system clock. Tests pass a fake one to move time
   * without waiting (see the README's testing section).
   */
  clock?: Clock
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

/** The plugin's routes, with the prefix. */
export interface RoutePaths {
  login: string
  start: string
  callback: string
  logout: string
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  clientId: string
  clientSecret: string
  callbackUrl: string
  appOrigin: string
  secrets: string[]
  prefix: string
  scopes: string[]
  hostedDomain: string | null
  loginHint: string | undefined
  prompt: string | undefined
  accessType: 'online' | 'offline'
  includeGrantedScopes: boolean | undefined
  loginPage: false | ((context: LoginPageContext) => string | Promise<string>) | null
  /** The plugin's own routes, with the prefix: resolved here once. */
  routes: RoutePaths
  /** Where the guard sends signed-out page navigations. */
  loginUrl: string
  afterLogout: string
  revokeOnLogout: boolean
  cookieName: string
  attemptCookiePrefix: string
  bindingCookieName: string
  secure: boolean
  idleTimeout: number
  absoluteTimeout: number
  store: SessionStore | null
  maxSessions: number
  maxSessionsPerUser: number
  loginTimeout: number
  googleTimeout: number
  /** Bound on one whole exchange with Google (token call, key download, retries). */
  googleDeadline: number
  endpoints: GoogleEndpoints
  clock: Clock
  /** Settings that work but are risky in production, each naming the option; logged at startup. */
  warnings: string[]
}

export { resolveOptions } from './options/resolve.js'
