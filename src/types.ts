import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import type { OAuth2Client } from 'google-auth-library'
import type { RoutePaths } from './options.js'

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

/** The Google tokens of the signed-in user. Kept in the server-side session only. */
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

/** Everything the plugin adds to the app, reachable without a global name as `fastify.googleOAuth`. */
export interface GoogleOAuthApi {
  /** The guard for routes that need a signed-in user (also `fastify.authenticate`). */
  readonly authenticate: preHandlerHookHandler
  /** The plugin's routes, with the prefix (e.g. `routes.start` is where a sign-in begins). */
  readonly routes: Readonly<RoutePaths>
  /** The app's origin, from `callbackUrl` (e.g. `https://app.example.com`). */
  readonly origin: string
  /** Signs the request's user out (as `POST /logout` does): ends the session on the server and clears the cookie. */
  signOut (request: FastifyRequest, reply: FastifyReply): Promise<void>
  /**
   * Ends every session of a user (`GoogleUser.id`), e.g. a removed employee; returns how many.
   * Needs a per-user index of sessions: the default store has one; other stores answer
   * `FST_GOOGLE_OAUTH_NOT_SUPPORTED`.
   */
  signOutEverywhere (userId: string): Promise<number>
  /**
   * A guard (give it in the `preHandler` array, like `authenticate`) for routes that need Google
   * scopes beyond sign-in, e.g. `['https://www.googleapis.com/auth/calendar.readonly']`. Signed in
   * with every scope granted: the request goes on. Otherwise a page navigation goes to Google to
   * grant the missing ones (for the same account) and comes back; API requests get 403
   * `FST_GOOGLE_OAUTH_INSUFFICIENT_SCOPE` with the `grantUrl`.
   */
  requireScopes (scopes: string[]): preHandlerHookHandler
  /** The scopes the request's Google tokens carry (`email` and `profile` in their URL form); none signed out or by Bearer token. */
  grantedScopes (request: FastifyRequest): string[]
  /**
   * Changes the app's fields of the request's signed-in user (those `onSignIn` returned), in the
   * session, for this and later requests; returns the user. `id` cannot change.
   */
  updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in Google user, or null. */
    googleUser: GoogleUser | null
    /** The signed-in user's Google tokens (from the server-side session; never in a cookie), or null. */
    googleTokens: GoogleTokens | null
    /** The request's cookies, parsed as @fastify/cookie parses them (by it, when the app registered it). */
    cookies: { [cookieName: string]: string | undefined }
    /**
     * A google-auth-library client authorized as the signed-in user (null when signed out): use it
     * with `googleapis` or `client.request(...)`. Expired access tokens are refreshed (with
     * `accessType: 'offline'`) and the new tokens saved to the session; when Google no longer
     * accepts the refresh token, the session ends and calls fail with FST_GOOGLE_OAUTH_REAUTH_REQUIRED.
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
    googleTokens?: GoogleTokens
    /** Epoch ms of the sign-in (absolute timeout). */
    googleSignedInAt?: number
    /** Epoch ms of the last recorded activity (idle timeout). */
    googleSeenAt?: number
  }
}
