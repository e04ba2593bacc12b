import type { BoundKey, PendingChallenge } from '../device-bound/types.js'
import type { GoogleTokens, GoogleUser } from '../types.js'

/**
 * What one signed-in session holds in the store. The shape follows @fastify/session's (a `cookie`
 * object with `expires` and `originalMaxAge`), so its stores (Redis...) compute the same TTLs.
 */
export interface SessionRecord {
  cookie: {
    originalMaxAge: number
    expires: string
    path: '/'
    httpOnly: true
    sameSite: 'lax'
    secure: boolean
  }
  googleUser: GoogleUser
  /**
   * Null while the session has no Google access (signed in with Google's button or One Tap, until
   * a grant). Records written before this was null say so with an empty access token.
   */
  googleTokens: GoogleTokens | null
  /** Epoch ms of the sign-in (absolute timeout). */
  googleSignedInAt: number
  /** Epoch ms of the last recorded activity (idle timeout). */
  googleSeenAt: number
  /** How the person signed in (absent from records written before it was kept). */
  googleMethod?: SessionMethod
  /** The device it was signed in from, from its `User-Agent` (see `user-agent.ts`), e.g. "Chrome on macOS". */
  googleDevice?: string
  /** With `deviceBound`: the key of the device the session is bound to (never replaced once set). */
  googleDeviceKey?: BoundKey
  /** With `deviceBound`: the challenge the device's next proof must sign (one-time, short-lived). */
  googleChallenge?: PendingChallenge
}

/** How a session was signed in: through Google's consent page, or with Google's button or One Tap. */
export type SessionMethod = 'redirect' | 'one-tap'

/** What a list of a user's sessions reads from each record (nothing that grants access). */
export type SessionSummary = Pick<SessionRecord, 'googleSignedInAt' | 'googleSeenAt' | 'googleMethod' | 'googleDevice' | 'googleDeviceKey'> & { googleUser: { id: string } }

/** True when a value read from a store has what a list of sessions shows. */
export function isSessionSummary (value: unknown): value is SessionSummary {
  const record = value as Partial<SessionSummary> | null
  return typeof record === 'object' && record !== null &&
    typeof record.googleUser === 'object' && record.googleUser !== null && typeof record.googleUser.id === 'string' &&
    typeof record.googleSignedInAt === 'number' && typeof record.googleSeenAt === 'number'
}

export interface Lifetimes {
  idleTimeout: number
  absoluteTimeout: number
}

/** Why a stored session no longer counts, or null while it is valid. */
export function expiryReason (record: Pick<SessionRecord, 'googleSignedInAt' | 'googleSeenAt'>, lifetimes: Lifetimes, now: number): 'absolute-timeout' | 'idle-timeout' | null {
  if (now - record.googleSignedInAt > lifetimes.absoluteTimeout) return 'absolute-timeout'
  if (now - record.googleSeenAt > lifetimes.idleTimeout) return 'idle-timeout'
  return null
}

/** The `session-expired` event's name for an expiry reason. */
export const expiredBy = (reason: 'absolute-timeout' | 'idle-timeout'): 'absolute' | 'idle' => reason === 'idle-timeout' ? 'idle' : 'absolute'

/** A record is touched (activity recorded, one store write) at most this often. */
export const touchInterval = (lifetimes: Lifetimes): number => Math.min(5 * 60_000, Math.floor(lifetimes.idleTimeout / 4))

/** True when a value read from a store looks like one of our records (stores may hold anything). */
export function isSessionRecord (value: unknown): value is SessionRecord {
  const record = value as Partial<SessionRecord> | null
  return typeof record === 'object' && record !== null &&
    typeof record.googleUser === 'object' && record.googleUser !== null && typeof record.googleUser.id === 'string' &&
    typeof record.googleTokens === 'object' &&
    typeof record.googleSignedInAt === 'number' && typeof record.googleSeenAt === 'number'
}
