import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GoogleTokens, GoogleUser } from '../types.js'
import type { AccountMarks, ListedSession } from './backend.js'
import type { SessionMethod } from './record.js'
import type { DeviceBindingRoutes } from '../device-bound/types.js'
import type { AdmissionTicket, Revocations } from './revocations.js'

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
  /** When each user was last revoked (a sign-out everywhere), as every instance sharing the store knows it. */
  revocations: Revocations
  /**
   * Starts a new session (a new id), with Google access (`tokens`) or none yet. The request's
   * previous session is ended in the store first, even one that could not be read. Refused with
   * SIGN_IN_INTERRUPTED when the user was revoked since the admission (`ticket`) began. `method`:
   * how the person signed in, recorded for the list of their sessions.
   */
  signIn (request: FastifyRequest, reply: FastifyReply, user: GoogleUser, tokens: GoogleTokens | null, ticket: AdmissionTicket, method: SessionMethod): Promise<void>
  /**
   * Signs the request out: the plugin's own session ends in the store and its cookie is cleared; in
   * the app's own @fastify/session, only the plugin's keys are removed.
   */
  signOut (request: FastifyRequest, reply: FastifyReply): Promise<void>
  /**
   * Revokes a user: every session signed in, and every admission begun, before now is refused.
   * With the plugin's Redis store, on every instance once it resolves; with another shared store,
   * on other instances within a few seconds; with the app's own @fastify/session it fails with
   * NOT_SUPPORTED. Returns how many sessions the store found and ended.
   */
  revoke (userId: string): Promise<number>
  /**
   * What Cross-Account Protection keeps in the store (events acted on, disabled accounts) and the
   * Google tokens it can drop; absent with the app's own @fastify/session.
   */
  marks?: AccountMarks
  /** Stores changed app fields of the request's user (never its id) for later requests; the user as stored. */
  updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser>
  /**
   * Who a user's Google client reports refreshed tokens to. `key` identifies the session within
   * this process, so that concurrent requests of one session share one token refresh.
   */
  tokenOwner (request: FastifyRequest): { key: string, owner: TokenOwner } | null
  /** A user's sessions, found by user: absent where the store keeps no index by user. */
  index?: SessionIndex
  /** Device-bound sessions (DBSC), with the `deviceBound` option (the plugin's own sessions only). */
  deviceBinding?: DeviceBindingRoutes
}

/** A user's sessions as the store indexes them, for a list of a person's devices. */
export interface SessionIndex {
  /** The sessions of a user the store holds (any order; one that expired may still be listed). */
  list (userId: string): Promise<ListedSession[]>
  /** The id of the request's own session, or null. */
  currentId (request: FastifyRequest): string | null
  /** Ends a session as a sign-out does: final on every instance sharing the store. */
  end (id: string): Promise<void>
}
