import type { Signer } from '@fastify/cookie'
import { readBoundValue } from '../device-bound/bound-cookie.js'
import { findCookie } from '../http/cookies.js'

/** Most verified cookies remembered. */
const VERIFIED_MAX = 10_000

/** A session cookie whose signature checked out: the session id, and, for a bound session's cookie, until when it counts. */
export interface UnsignedCookie {
  id: string
  /** The signed value (re-signed as is after a secret rotation). */
  value: string
  until: number | null
  /** Signed with an older secret: to be sent again signed with the current one. */
  renew: boolean
}

/** Why a request's session cookie was ignored (for the log). */
export type IgnoredCookie = 'duplicate-session-cookie' | 'bad-signature' | 'bound-cookie-expired'

/**
 * Reads the session cookie of a `Cookie` header: undefined without one, the session it names when
 * its signature checks out (and, for a bound session's cookie, its time has not run out), or why
 * it was ignored. Verified signatures are remembered, so that a signed-in request does not pay for
 * an HMAC each time: only valid cookies are kept, so the mapping from a cookie to its id cannot be
 * forged into the cache. A plain map, oldest first out: a lookup is the cheapest there is.
 */
export function sessionCookieReader (cookieName: string, signer: Signer, deviceBound: boolean, now: () => number) {
  const verified = new Map<string, UnsignedCookie>()

  function unsign (cookie: string): UnsignedCookie | null {
    const known = verified.get(cookie)
    if (known !== undefined) return known
    const result = signer.unsign(cookie)
    if (!result.valid || result.value === null) return null
    const { id, until } = deviceBound ? readBoundValue(result.value) : { id: result.value, until: null }
    const entry = { id, value: result.value, until, renew: result.renew }
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!)
    verified.set(cookie, entry)
    return entry
  }

  return function readSessionCookie (header: string | undefined): UnsignedCookie | IgnoredCookie | undefined {
    const cookie = findCookie(header, cookieName)
    if (cookie.value === undefined) return undefined
    // Only one cookie of this name can be ours (host-only, Path=/); which one is cannot be told.
    if (cookie.count > 1) return 'duplicate-session-cookie'
    const unsigned = unsign(cookie.value)
    if (unsigned === null) return 'bad-signature'
    // A bound cookie past its time: only a proof from the device's key renews it (a copy stays dead).
    if (unsigned.until !== null && unsigned.until <= now()) return 'bound-cookie-expired'
    return unsigned
  }
}
