import type { ResolvedOptions } from '../options.js'
import type { SessionBackend } from './backend.js'
import { deepFreeze } from './deep-freeze.js'
import { expiryReason, isSessionRecord, type SessionRecord } from './record.js'
import { revokedBefore } from './revocations.js'
import type { StoredRecord, TokenSeal } from './sealed-tokens.js'

/**
 * Why a stored session does not count: `refused`, the reason for the log; `clearCookie` when the browser's
 * cookie should go, `end` when the session itself should; `expired` (with its user) when it ran out.
 */
export interface Refusal {
  refused: string
  clearCookie: boolean
  end: boolean
  expired?: { reason: 'absolute-timeout' | 'idle-timeout', userId: string }
}

const refusal = (refused: string, clearCookie: boolean, end: boolean): Refusal => ({ refused, clearCookie, end })
const UNKNOWN = refusal('unknown-session', false, false)
const REVOKED = refusal('user-revoked', true, false)
const NOT_THE_BOUND_COOKIE = refusal('not-the-bound-cookie', false, false)

/**
 * Checks a stored session as it is read, calling back with its record (tokens opened) when it counts.
 * `boundCookie`: whether the request came with a bound session's cookie (`deviceBound`: once bound,
 * only that one counts), or null when no cookie is involved. The callback's error is the store's,
 * when the user's revocation could not be read.
 */
export type AdmitRecord = (id: string, value: unknown, now: number, boundCookie: boolean | null, callback: Callback) => void

type Callback = (error: unknown, outcome: SessionRecord | Refusal) => void

export const isRefusal = (outcome: SessionRecord | Refusal): outcome is Refusal => 'refused' in outcome

/**
 * The one check every read of a session goes through (a request's cookie, a device-bound route's
 * session id): a session record, not ended, not expired, begun after its user's last revocation,
 * read with the right cookie, its tokens readable. Synchronous when the revocation is known.
 */
export function recordAdmission (options: ResolvedOptions, records: SessionBackend, seal: TokenSeal): AdmitRecord {
  const { revocations } = records
  const deviceBound = options.deviceBound !== null
  /** The checks after the revocation is known: synchronous, no closure per request. */
  function decide (value: StoredRecord, revokedAt: number, boundCookie: boolean | null, callback: Callback): void {
    if (revokedBefore(value.googleSignedInAt, revokedAt)) return callback(null, REVOKED)
    // Once bound, only the bound cookie counts: the long-lived one (copied before) no longer does.
    if (deviceBound && boundCookie !== null && (value.googleDeviceKey !== undefined) !== boundCookie) return callback(null, NOT_THE_BOUND_COOKIE)
    // Read-only for the app, all the way down, whatever the store gave back (the default store's
    // and the Redis store's copies come frozen).
    if (!Object.isFrozen(value)) deepFreeze(value)
    // Tokens opened once per record (read again from the default store or near cache: a lookup); unopenable: signed out.
    const record = seal.openRecord(value)
    callback(null, typeof record === 'string' ? refusal(record, true, true) : record)
  }

  return function admitRecord (id, value, now, boundCookie, callback) {
    // (A read that was in flight while the session ended is unknown too.)
    if (!isSessionRecord(value) || records.isEnded(id)) return callback(null, UNKNOWN)
    const expired = expiryReason(value, options, now)
    if (expired !== null) return callback(null, { refused: expired, clearCookie: true, end: true, expired: { reason: expired, userId: value.googleUser.id } })
    // A store whose revocation ends every session of the user itself only needs what this process knows.
    const revokedAt = records.revokeEndsSessions ? (revocations.known(value.googleUser.id) ?? 0) : revocations.get(value.googleUser.id)
    if (typeof revokedAt === 'number') return decide(value, revokedAt, boundCookie, callback)
    revokedAt.then((at) => decide(value, at, boundCookie, callback), (error: unknown) => callback(error, UNKNOWN))
  }
}
