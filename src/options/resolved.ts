import type { onRequestHookHandler } from 'fastify'
import type { GoogleEndpoints } from '../google/endpoints.js'
import type { GoogleOAuthEvent, LoginPageContext, OnSignIn } from '../hooks.js'
import type { DeviceBoundSettings } from '../device-bound/types.js'
import type { OnSecurityEvent } from '../risc/types.js'
import type { Clock, RoutePaths, SessionStoreLike } from '../types.js'

/**
 * What the plugin works with once the options are validated (see `resolve.ts`). Types only,
 * importing nothing but other type files.
 */

/** The rules of who may sign in that need no code, from the options. */
export interface Policies {
  /** Workspace domains (lower case) the `hd` claim must be one of; empty for any account. */
  hostedDomains: readonly string[]
  /** Exact addresses (the domain lower-cased) that may sign in. */
  allowedEmails: readonly string[]
  /** Domains (lower case) whose addresses may sign in. */
  allowedDomains: readonly string[]
  /**
   * Which addresses count for the two lists: `'verified'`, any Google marks verified;
   * `'authoritative'`, only those Google speaks for (a Gmail address, or a Workspace account's
   * address in its own domain: `hd` is the address's domain).
   */
  emailTrust: 'verified' | 'authoritative'
}

/** The `bearer` option, resolved: the client ids accepted, `clientId` among them. */
export interface BearerSettings {
  audiences: string[]
  authorizedParties: string[]
  cacheSize: number
  acceptNonce: boolean
}

/** The `risc` option, resolved: the audiences accepted, `clientId` first. */
export interface RiscSettings {
  audiences: string[]
  onSecurityEvent: OnSecurityEvent | null
}

/** What the `routeOptions` option adds to one of the plugin's routes, `all`'s included. */
export interface RouteAdditions {
  config: Readonly<Record<string, unknown>>
  onRequest: readonly onRequestHookHandler[]
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  clientId: string
  clientSecret: string
  callbackUrl: string
  appOrigin: string
  secrets: string[]
  scopes: string[]
  /** The `hd` hint sent to Google: the domain when there is exactly one. */
  hostedDomain: string | null
  policies: Policies
  onSignIn: OnSignIn | null
  /** Infinity when turned off: no timer is set. */
  onSignInTimeout: number
  onEvent: ((event: GoogleOAuthEvent) => unknown) | null
  bearer: BearerSettings | null
  oneTap: { button: boolean, prompt: boolean } | null
  /** Cross-Account Protection's receiver, or null (off). */
  risc: RiscSettings | null
  /** Device-bound sessions (DBSC), or null (off). */
  deviceBound: DeviceBoundSettings | null
  loginHint: string | undefined
  prompt: string | undefined
  accessType: 'online' | 'offline'
  includeGrantedScopes: boolean | undefined
  loginPage: false | ((context: LoginPageContext) => string | Promise<string>) | null
  /** The plugin's own routes, with the prefix: resolved here once. */
  routes: RoutePaths
  /** What the app adds to each of them (`routeOptions`); `all` for a route of no name. */
  routeOptions: Readonly<Record<keyof RoutePaths | 'all', RouteAdditions>>
  /** Where the guard sends signed-out page navigations. */
  loginUrl: string
  afterLogout: string
  revokeOnLogout: boolean
  appName: string | null
  appUrl: string
  authenticateDecorator: string | false
  keepSessionInfo: boolean | readonly string[]
  cookieName: string
  attemptCookiePrefix: string
  bindingCookieName: string
  secure: boolean
  /** `false` (no idle limit) is resolved to `absoluteTimeout`: the idle check then never comes first. */
  idleTimeout: number
  absoluteTimeout: number
  store: SessionStoreLike | null
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
