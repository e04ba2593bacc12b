import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import type { OAuth2Client } from 'google-auth-library'
import type { GoogleTokens, GoogleUser, RoutePaths, SealedTokens } from './types.js'

/**
 * What the plugin adds to the app, as the app's code sees it: `fastify.googleOAuth`, the request's
 * and the instance's decorations, the session's fields. It imports types only, and from the plugin
 * only types.ts, so that every module can import it without a circle.
 */

/** One signed-in session of a user, as a list of the person's devices shows it (see `sessionsOf`). */
export interface UserSession {
  /**
   * Names this session to `endSession`: opaque, stable while the app's `secret` is, and of no use
   * to open the session (it is not the cookie, nor the session's id).
   */
  handle: string
  /** Epoch ms when its sign-in began. */
  startedAt: number
  /** Epoch ms of its last recorded activity (recorded at most every few minutes). */
  lastUsedAt: number
  /** Through Google's consent page (`redirect`), or Google's button or One Tap; null for a session signed in before it was kept. */
  method: 'redirect' | 'one-tap' | null
  /** The browser and system it was signed in from, from its `User-Agent`, e.g. "Chrome on macOS", "curl", "Unknown device". */
  device: string
  /** True for the session of the request asked about. */
  current: boolean
  /** True when the session is bound to its device's key (the `deviceBound` option): a copy of its cookie stops working within minutes. */
  deviceBound: boolean
}

/** Everything the plugin adds to the app, reachable without a global name as `fastify.googleOAuth`. */
export interface GoogleOAuthApi {
  /** The guard for routes that need a signed-in user (also `fastify.authenticate`). */
  readonly authenticate: preHandlerHookHandler
  /** The plugin's routes, with the prefix (e.g. `routes.start` is where a sign-in begins). */
  readonly routes: Readonly<RoutePaths>
  /** The app's origin, from `callbackUrl` (e.g. `https://app.example.com`). */
  readonly origin: string
  /**
   * Signs the request's user out, as `POST /logout` does. A session ends on the server and its
   * cookie is cleared (with `revokeOnLogout`, its Google token is revoked too). A request with a
   * Bearer token (the `bearer` option) has no session: its token is verified (a bad one is refused,
   * `FST_GOOGLE_OAUTH_INVALID_BEARER_TOKEN`), then its user is signed out everywhere, as
   * `signOutEverywhere` does, since an ID token can only be refused by when it was issued.
   */
  signOut (request: FastifyRequest, reply: FastifyReply): Promise<void>
  /**
   * Signs a user (`GoogleUser.id`) out everywhere, e.g. a removed employee: every session signed
   * in, Bearer token issued and sign-in begun before now is refused, on every instance sharing the
   * store. Returns how many sessions it ended: the default store and the plugin's Redis store find
   * them by user; another store has no index by user, so its sessions are refused when next read
   * and the count is 0. With the app's own @fastify/session it throws
   * `FST_GOOGLE_OAUTH_NOT_SUPPORTED`.
   */
  signOutEverywhere (userId: string): Promise<number>
  /**
   * A guard (give it in the `preHandler` array, like `authenticate`) for routes that need Google
   * scopes beyond sign-in, e.g. `['https://www.googleapis.com/auth/calendar.readonly']`. Signed out:
   * refused as `authenticate` refuses. Signed in with every scope granted (and, without a refresh
   * token, access not expired): the request goes on. Otherwise a page navigation goes to Google to
   * grant the missing ones (for the same account) and comes back, once: if the person declines, a
   * 403 page says so. API requests and Bearer requests get 403
   * `FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE` with the `grantUrl`.
   */
  requireScopes (scopes: string[]): preHandlerHookHandler
  /**
   * A guard for sensitive routes: a signed-in session bound to its device (the `deviceBound`
   * option; a browser that registered a key), else 403 `FST_GOOGLE_OAUTH_DEVICE_BOUND_REQUIRED`.
   * Used without the `deviceBound` option, the app fails at startup.
   */
  readonly requireDeviceBound: preHandlerHookHandler
  /** True when the request's session is bound to its device (`deviceBound`); false otherwise, and for a Bearer token. */
  isDeviceBound (request: FastifyRequest): boolean
  /**
   * A check (give it in the `preHandler` array, alone or beside `authenticate`) for the app's own
   * forms and JSON POSTs, the check `POST /logout` makes: a request from another origin than the
   * app's (`origin`) is refused with 403 `FST_GOOGLE_OAUTH_CROSS_SITE_REQUEST`, a page for
   * browsers and JSON otherwise. By `Sec-Fetch-Site` where browsers send it (only `same-origin`
   * and `none`, an address typed or bookmarked, pass: a sibling subdomain or another port does
   * not), else by `Origin`; a request with neither (not from a browser) passes. GET, HEAD and
   * OPTIONS always pass: they must not change anything.
   */
  readonly sameOrigin: preHandlerHookHandler
  /**
   * The scopes the request's Google tokens carry (`email` and `profile` in their URL form); none
   * without Google access (signed out, a Bearer token, Google's button or One Tap before a grant).
   */
  grantedScopes (request: FastifyRequest): string[]
  /**
   * Changes fields of the request's signed-in user in the session (usually the app's own, those
   * `onSignIn` returned; any field but `id`), for this and later requests, stored as JSON; returns
   * the user as stored. Signed out: `FST_GOOGLE_OAUTH_UNAUTHENTICATED`; a request with a Bearer
   * token has no session: `FST_GOOGLE_OAUTH_NOT_SUPPORTED`.
   */
  updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser>
  /**
   * The live sessions of the request's signed-in user (or of a user, by `GoogleUser.id`), newest
   * first, the request's own marked `current`. With the default store or the plugin's Redis store;
   * elsewhere (another @fastify/session store, the app's own @fastify/session) it throws
   * `FST_GOOGLE_OAUTH_NOT_SUPPORTED`. A signed-out request: `FST_GOOGLE_OAUTH_UNAUTHENTICATED`.
   */
  sessionsOf (requestOrUserId: FastifyRequest | string): Promise<UserSession[]>
  /**
   * Ends one session of the request's user (or of a user, by id), named by its `handle`, as a
   * sign-out does: on every instance sharing the store once it resolves. True when it ended it;
   * false when the handle names no live session of that user (ended already, or another user's:
   * the answer is the same). Ending the request's own session leaves its cookie to be refused on
   * the next request: use `signOut` to sign the request out. Stores as for `sessionsOf`.
   */
  endSession (requestOrUserId: FastifyRequest | string, handle: string): Promise<boolean>
  /**
   * Ends every session of the request's user but the request's own ("sign out everywhere else"),
   * as a sign-out does; returns how many it ended. A request with a Bearer token has no session of
   * its own: `FST_GOOGLE_OAUTH_NOT_SUPPORTED` (use `signOutEverywhere`). Stores as for `sessionsOf`.
   */
  signOutOthers (request: FastifyRequest): Promise<number>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in Google user, or null (with a Bearer token, null until a guard verified it). */
    googleUser: GoogleUser | null
    /**
     * The signed-in user's Google tokens (from the server-side session; never in a cookie), or null
     * without Google access: signed out, a Bearer token, Google's button or One Tap before a grant.
     */
    googleTokens: GoogleTokens | null
    /** The request's cookies, parsed as @fastify/cookie parses them (by it, when the app registered it). */
    cookies: { [cookieName: string]: string | undefined }
    /**
     * A google-auth-library client authorized as the signed-in user, or null without Google access
     * (signed out, a Bearer token, Google's button or One Tap before a grant): use it with
     * `googleapis` or `client.request(...)`. Expired access tokens are refreshed with the refresh
     * token (`accessType: 'offline'`) and the new tokens saved to the session. Without a refresh
     * token, calls once the access token expires (or is about to) fail with
     * FST_GOOGLE_OAUTH_REAUTH_REQUIRED; when Google no longer accepts the refresh token, the
     * session ends and calls fail with it too.
     */
    googleAuth: OAuth2Client | null
  }
  interface FastifyInstance {
    /**
     * The guard for routes that need a signed-in user (renamed or left out with the
     * `authenticateDecorator` option; also `fastify.googleOAuth.authenticate`). Give it in an
     * array, `{ preHandler: [app.authenticate] }`: if it were still undefined (the plugin not yet
     * registered, or registered in another context), Fastify refuses `[undefined]` at startup,
     * where a bare `undefined` would leave the route open.
     */
    authenticate: preHandlerHookHandler
    /** The plugin's guard, routes and helpers. */
    googleOAuth: GoogleOAuthApi
  }
  interface Session {
    googleUser?: GoogleUser
    /** Sealed (plain in a session saved before tokens were sealed): read them with `request.googleTokens`. */
    googleTokens?: SealedTokens | GoogleTokens
    /** Epoch ms of the sign-in (absolute timeout). */
    googleSignedInAt?: number
    /** Epoch ms of the last recorded activity (idle timeout). */
    googleSeenAt?: number
  }
}
