import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GoogleTokens, GoogleUser } from '../types.js'
import type { TokenOwner } from '../user-google-client.js'

/** Whether a request carries a usable signed-in session. */
export type SessionStatus = 'signed-in' | 'anonymous' | 'store-unavailable'

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
  /**
   * Who a user's Google client reports refreshed tokens to. `key` identifies the session within this
   * process (so concurrent requests share one client and one refresh), or null when not shareable.
   */
  tokenOwner (request: FastifyRequest): { key: string | null, owner: TokenOwner } | null
}
