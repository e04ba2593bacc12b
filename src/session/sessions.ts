import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GoogleTokens, GoogleUser } from '../types.js'

/** Whether a request carries a usable signed-in session. */
export type SessionStatus = 'signed-in' | 'anonymous' | 'store-unavailable'

/** What a user's Google client needs from the session it belongs to. */
export interface TokenOwner {
  /**
   * Persists new tokens; false when the session ended meanwhile, or, with `replacing`, when the
   * session's tokens are no longer those (another refresh got there first).
   */
  save (tokens: GoogleTokens, replacing?: GoogleTokens): Promise<boolean>
  /**
   * Makes the instances sharing the session refresh its tokens once (see SessionBackend.refreshOnce);
   * absent when each process refreshes on its own.
   */
  refreshOnce?: (previous: GoogleTokens, refresh: () => Promise<GoogleTokens>) => Promise<GoogleTokens>
  /** Takes tokens that another request of this session refreshed, for the rest of this request (no write). */
  adopt (tokens: GoogleTokens): void
  /** Ends the session (the refresh token was revoked or expired). */
  end (): Promise<void>
}

/**
 * How the plugin reads and writes sign-in sessions. Two implementations: the plugin's own lean
 * sessions (default), and the host's @fastify/session when the app registered it.
 */
export interface Sessions {
  /** Sync, no I/O: what the request's hook loaded. */
  user (request: FastifyRequest): GoogleUser | null
  tokens (request: FastifyRequest): GoogleTokens | null
  status (request: FastifyRequest): SessionStatus
  /** Starts a new session (new id; the request's old session is destroyed in the store). */
  signIn (request: FastifyRequest, reply: FastifyReply, user: GoogleUser, tokens: GoogleTokens): Promise<void>
  /** Ends the session in the store and clears the cookie. */
  signOut (request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** Ends every session of a user; how many. Throws NOT_SUPPORTED without a per-user index. */
  signOutEverywhere (userId: string): Promise<number>
  /** Stores changed app fields of the request's user (never its id) for later requests; the user as stored. */
  updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser>
  /**
   * Who a user's Google client reports refreshed tokens to. `key` identifies the session within
   * this process, so that concurrent requests of one session share one token refresh.
   */
  tokenOwner (request: FastifyRequest): { key: string, owner: TokenOwner } | null
}
