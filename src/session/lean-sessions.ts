import { Signer } from '@fastify/cookie'
import { parseCookie } from 'cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { pluginError } from '../errors.js'
import { clearCookie as dropCookie, findCookie, setCookie, type CookieAttributes } from '../http/cookies.js'
import { readBoundValue } from '../device-bound/bound-cookie.js'
import type { Emit } from '../events.js'
import type { ResolvedOptions } from '../options.js'
import type { GoogleTokens, GoogleUser } from '../types.js'
import { BoundedMemoryStore } from './memory-store.js'
import { expiredBy, expiryReason, isSessionRecord, touchInterval, type SessionMethod, type SessionRecord } from './record.js'
import { accountMarks, genericBackend, hasOwnBackend, kSessionBackend, type SessionBackend } from './backend.js'
import { deepFreeze } from './deep-freeze.js'
import { storeOutage } from './outage.js'
import { revokedBefore, type AdmissionTicket } from './revocations.js'
import type { Sessions } from './sessions.js'
import { tokenOwner, type LoadedSession } from './token-owner.js'
import { tokenSeal, type StoredRecord } from './sealed-tokens.js'
import { describeDevice } from './user-agent.js'
import { leanDeviceBinding } from './device-binding.js'

/** How long one session store call may take before the request is answered 503. */
const STORE_TIMEOUT = 2_000

/** Longest a token refresh can take: each call to Google is bounded by `googleTimeout`, and retried once. */
const refreshDeadline = (options: ResolvedOptions): number => 2 * options.googleTimeout + 1_000

/** Most verified cookies remembered. */
const VERIFIED_MAX = 10_000

const kSession = Symbol('fastify-google-oauth.session')

/** A request whose session could not be read because the store failed: its id, to end it at a new sign-in. */
interface UnreadSession {
  id: string
  unread: true
}

/** A session cookie whose signature checked out: the session id, and, for a bound session's cookie, until when it counts. */
interface UnsignedCookie {
  id: string
  /** The signed value (re-signed as is after a secret rotation). */
  value: string
  until: number | null
  renew: boolean
}

type RequestWithSession = FastifyRequest & { [kSession]: LoadedSession | UnreadSession | null }

const isUnread = (state: LoadedSession | UnreadSession | null): state is UnreadSession => state !== null && 'unread' in state

/**
 * The plugin's own sessions: @fastify/session's store interface and signed cookie format, with
 * a fast path. A request without the cookie costs no allocation and no store access; a signed-in
 * request costs one store read (its cookie's signature is checked the first time this process
 * sees the cookie, then remembered; with a shared store other than the plugin's Redis store, the
 * user's revocation is read too, at most every few seconds), and writes nothing unless activity
 * must be recorded (at most every few minutes). The cookie is only sent at sign-in, at sign-out,
 * to clear it for a session found expired or revoked, and to re-sign it after a secret rotation.
 */
export function registerLeanSessions (fastify: FastifyInstance, options: ResolvedOptions, emit: Emit): Sessions {
  const signer = new Signer(options.secrets, 'sha256')
  const { clock } = options
  const store = options.store ?? new BoundedMemoryStore({
    maxSessions: options.maxSessions,
    maxSessionsPerUser: options.maxSessionsPerUser,
    ttl: options.idleTimeout,
    clock,
    // The store drops an idle session by itself: that is when it expired, whether or not its user comes back.
    onExpire: (value) => {
      if (!isSessionRecord(value)) return
      emit({ type: 'session-expired', reason: expiredBy(expiryReason(value, options, clock.now()) ?? 'idle-timeout'), userId: value.googleUser.id, requestId: null })
    }
  })
  const settings = { timeout: STORE_TIMEOUT, clock, maxSessionsPerUser: options.maxSessionsPerUser, refreshDeadline: refreshDeadline(options), log: fastify.log, seal: tokenSeal(options.secrets, fastify.log), deviceBound: options.deviceBound !== null }
  const records: SessionBackend = hasOwnBackend(store) ? store[kSessionBackend](settings) : genericBackend(store, settings)
  const { revocations } = records
  if (records.close !== undefined) fastify.addHook('onClose', async () => { await records.close!() })
  const outage = storeOutage(fastify.log, clock)
  const cookieOptions: CookieAttributes & { path: '/' } = { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secure }
  const touchEvery = touchInterval(options)

  // Verified signatures, so that a signed-in request does not pay for an HMAC each time. Only
  // valid cookies are kept: the mapping from a cookie to its id cannot be forged into the cache.
  // A plain map, oldest first out: a lookup is the cheapest there is, and only valid cookies get in.
  // With `deviceBound`, a bound session's cookie also says until when it counts (checked on every request).
  const verified = new Map<string, UnsignedCookie>()
  const deviceBound = options.deviceBound !== null
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

  fastify.decorateRequest(kSession, null)

  const loaded = (request: FastifyRequest): LoadedSession | null => {
    const state = (request as RequestWithSession)[kSession]
    return state === null || isUnread(state) ? null : state
  }

  function clearCookie (reply: FastifyReply): void {
    dropCookie(reply, options.cookieName, cookieOptions)
  }

  // Without the app's @fastify/cookie, the app still gets `request.cookies`, parsed here (one hook, not two).
  const parseForTheApp = !fastify.hasPlugin('@fastify/cookie')
  fastify.addHook('onRequest', function loadSession (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const header = request.headers.cookie
    if (parseForTheApp && request.cookies == null) request.cookies = header === undefined ? {} : parseCookie(header)
    const cookie = findCookie(header, options.cookieName)
    if (cookie.value === undefined) return done()
    if (cookie.count > 1) {
      // Only one cookie of this name can be ours (host-only, Path=/); which one is cannot be told.
      request.log.debug({ reason: 'duplicate-session-cookie' }, 'session cookie ignored')
      return done()
    }
    const unsigned = unsign(cookie.value)
    if (unsigned === null) {
      request.log.debug({ reason: 'bad-signature' }, 'session cookie ignored')
      return done()
    }
    const id = unsigned.id
    if (unsigned.until !== null && unsigned.until <= clock.now()) {
      // A bound cookie past its time: only a proof from the device's key renews it (a copy stays dead).
      request.log.debug({ reason: 'bound-cookie-expired' }, 'session cookie ignored')
      return done()
    }
    records.read(id, (error, value, answered) => {
      if (error) {
        outage.failed(error)
        ;(request as RequestWithSession)[kSession] = { id, unread: true }
        return done()
      }
      // Only the store's own answer ends an outage (a copy in memory says nothing of it).
      if (answered) outage.succeeded()
      if (!isSessionRecord(value) || records.isEnded(id)) {
        // (A read that was in flight while the session ended also lands here.)
        request.log.debug({ reason: 'unknown-session' }, 'session cookie ignored')
        return done()
      }
      const now = clock.now()
      const reason = expiryReason(value, options, now)
      if (reason !== null) {
        request.log.debug({ reason }, 'session expired')
        clearCookie(reply)
        records.end(id).catch(() => {})
        emit({ type: 'session-expired', reason: expiredBy(reason), userId: value.googleUser.id, requestId: request.id })
        return done()
      }
      // A store whose revocation ends every session of the user itself only needs what this process knows.
      const revokedAt = records.revokeEndsSessions ? (revocations.known(value.googleUser.id) ?? 0) : revocations.get(value.googleUser.id)
      if (typeof revokedAt === 'number') return admitSession(request, reply, done, unsigned, value, now, revokedAt)
      revokedAt.then((at) => admitSession(request, reply, done, unsigned, value, now, at), (revocationError: unknown) => {
        outage.failed(revocationError)
        ;(request as RequestWithSession)[kSession] = { id, unread: true }
        done()
      })
    })
  })

  /** A session read and unexpired: refused if its user was revoked since it began, else the request's. */
  function admitSession (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction, cookie: UnsignedCookie, value: StoredRecord, now: number, revokedAt: number): void {
    const { id, renew } = cookie
    if (revokedBefore(value.googleSignedInAt, revokedAt)) {
      request.log.debug({ reason: 'user-revoked' }, 'session cookie ignored')
      clearCookie(reply)
      return done()
    }
    // Once bound, only the bound cookie counts: the long-lived one (copied before) no longer does.
    if (deviceBound && (value.googleDeviceKey !== undefined) !== (cookie.until !== null)) {
      request.log.debug({ reason: 'not-the-bound-cookie' }, 'session cookie ignored')
      return done()
    }
    // Read-only for the app, all the way down, whatever the store gave back (the default store's
    // and the Redis store's copies come frozen).
    if (!Object.isFrozen(value)) deepFreeze(value)
    // Tokens opened once per record (read again from the default store or near cache: a lookup); unopenable: signed out.
    const record = settings.seal.openRecord(value)
    if (typeof record === 'string') {
      request.log.debug({ reason: record }, 'session cookie ignored')
      clearCookie(reply)
      records.end(id).catch(() => {})
      return done()
    }
    const session: LoadedSession = { id, record }
    ;(request as RequestWithSession)[kSession] = session
    if (renew) {
      // Signed with an older secret: send it again signed with the current one.
      setCookie(reply, options.cookieName, signer.sign(cookie.value), { ...cookieOptions, expires: new Date(cookie.until ?? value.cookie.expires) })
    }
    // Activity is recorded every few minutes, and tokens sealed under an older secret once the cookie is re-signed.
    if (now - value.googleSeenAt <= touchEvery && !(renew && value.googleTokens !== null && settings.seal.stale(value.googleTokens))) return done()
    // Recorded activity is written back; never for a session that ended meanwhile.
    records.update(id, (current) => ({ ...current, googleSeenAt: now }), value).then((written) => {
      if (written !== null) session.record = deepFreeze(written)
      done()
    }, (touchError: unknown) => {
      request.log.warn({ reason: (touchError as { reason?: string }).reason }, 'could not record session activity')
      done()
    })
  }

  const marks = accountMarks(records, clock)
  const binding = leanDeviceBinding({ options, records, seal: settings.seal, signer, cookieOptions, loaded, marks, emit })

  return {
    user: (request) => loaded(request)?.record.googleUser ?? null,
    tokens: (request) => loaded(request)?.record.googleTokens ?? null,
    status (request) {
      const state = (request as RequestWithSession)[kSession]
      return isUnread(state) ? 'store-unavailable' : state === null ? 'anonymous' : 'signed-in'
    },

    revocations,

    async signIn (request: FastifyRequest, reply: FastifyReply, user: GoogleUser, tokens: GoogleTokens | null, ticket: AdmissionTicket, method: SessionMethod): Promise<void> {
      // The browser's previous session ends first, even one the store could not read (a blip):
      // if it cannot be ended now, the sign-in fails and nothing changes.
      const previous = (request as RequestWithSession)[kSession]
      if (previous !== null) {
        await records.end(previous.id)
        ;(request as RequestWithSession)[kSession] = null
      }
      // Not if the user was revoked since this sign-in began (its session would outlive the revocation).
      if (revocations.interrupted(ticket, user.id) || revokedBefore(ticket.startedAt, await revocations.get(user.id))) {
        throw pluginError('SIGN_IN_INTERRUPTED', 'revoked-during-sign-in')
      }
      const id = records.newId(user.id)
      const now = clock.now()
      const expires = new Date(now + options.absoluteTimeout)
      const challenge = binding?.challengeForSignIn()
      const record: SessionRecord = deepFreeze({
        cookie: { ...cookieOptions, originalMaxAge: options.absoluteTimeout, expires: expires.toISOString() },
        googleUser: { ...user },
        googleTokens: tokens,
        // Counted from when the sign-in began: a revocation while it was under way is older than the session.
        googleSignedInAt: ticket.startedAt,
        googleSeenAt: now,
        googleMethod: method,
        googleDevice: describeDevice(request.headers['user-agent']),
        ...(challenge !== undefined && { googleChallenge: challenge })
      })
      await records.create(id, record, ticket.startedAt)
      ;(request as RequestWithSession)[kSession] = { id, record }
      setCookie(reply, options.cookieName, signer.sign(id), { ...cookieOptions, expires })
      // A browser that supports it registers a device key next; others ignore the header.
      if (challenge !== undefined) binding!.askToRegister(reply, id, challenge)
    },

    async signOut (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const state = (request as RequestWithSession)[kSession]
      if (isUnread(state)) throw pluginError('SESSION_STORE_UNAVAILABLE', 'store-down-at-sign-out')
      if (state !== null) {
        await records.end(state.id)
        ;(request as RequestWithSession)[kSession] = null
      }
      if (findCookie(request.headers.cookie, options.cookieName).count > 0) clearCookie(reply)
    },

    revoke: (userId: string) => records.revoke(userId),

    marks,

    async updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser> {
      const session = loaded(request)
      if (session === null) throw pluginError('UNAUTHENTICATED', 'update-user-signed-out')
      const userId = session.record.googleUser.id
      const written = await records.update(session.id, (current) => current.googleUser.id === userId
        ? { ...current, googleUser: { ...current.googleUser, ...fields, id: userId } }
        : null)
      if (written === null) throw pluginError('UNAUTHENTICATED', 'update-user-session-ended')
      session.record = deepFreeze(written)
      return session.record.googleUser
    },

    tokenOwner (request: FastifyRequest) {
      const session = loaded(request)
      return session === null ? null : { key: session.id, owner: tokenOwner(records, session) }
    },

    ...(binding !== null && { deviceBinding: binding }),

    ...(records.sessionsOf !== undefined && {
      index: { list: records.sessionsOf, currentId: (request: FastifyRequest) => loaded(request)?.id ?? null, end: (id: string) => records.end(id) }
    })
  }
}
