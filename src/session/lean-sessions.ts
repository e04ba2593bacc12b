import { Signer } from '@fastify/cookie'
import { parseCookie } from 'cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { pluginError } from '../errors.js'
import { clearCookie as dropCookie, findCookie, setCookie, type CookieAttributes } from '../http/cookies.js'
import type { Emit } from '../events.js'
import type { ResolvedOptions } from '../options.js'
import type { GoogleTokens, GoogleUser } from '../types.js'
import { BoundedMemoryStore } from './memory-store.js'
import { expiredBy, expiryReason, isSessionRecord, touchInterval, type SessionMethod, type SessionRecord } from './record.js'
import { isRefusal, recordAdmission, type Refusal } from './admission.js'
import { accountMarks, genericBackend, hasOwnBackend, kSessionBackend, type SessionBackend } from './backend.js'
import { deepFreeze } from './deep-freeze.js'
import { storeOutage } from './outage.js'
import { revokedBefore, type AdmissionTicket } from './revocations.js'
import type { Sessions } from './sessions.js'
import { tokenOwner, type LoadedSession } from './token-owner.js'
import { tokenSeal, type StoredRecord } from './sealed-tokens.js'
import { describeDevice } from './user-agent.js'
import { leanDeviceBinding } from './device-binding.js'
import { sessionCookieReader, type UnsignedCookie } from './session-cookie.js'

/** How long one session store call may take before the request is answered 503. */
const STORE_TIMEOUT = 2_000

/** Longest a token refresh can take: each call to Google is bounded by `googleTimeout`, and retried once. */
const refreshDeadline = (options: ResolvedOptions): number => 2 * options.googleTimeout + 1_000

const kSession = Symbol('fastify-google-oauth.session')

/** A request whose session could not be read because the store failed: its id, to end it at a new sign-in. */
interface UnreadSession {
  id: string
  unread: true
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

  const readSessionCookie = sessionCookieReader(options.cookieName, signer, settings.deviceBound, clock.now)
  const admitRecord = recordAdmission(options, records, settings.seal)

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
    const cookie = readSessionCookie(header)
    if (cookie === undefined) return done()
    if (typeof cookie === 'string') {
      request.log.debug({ reason: cookie }, 'session cookie ignored')
      return done()
    }
    const { id } = cookie
    records.read(id, (error, value, answered) => {
      if (error) return unread(request, id, error, done)
      // Only the store's own answer ends an outage (a copy in memory says nothing of it).
      if (answered) outage.succeeded()
      const now = clock.now()
      admitRecord(id, value, now, cookie.until !== null, (revocationError, outcome) => {
        if (revocationError) return unread(request, id, revocationError, done)
        if (isRefusal(outcome)) {
          refuse(request, reply, id, outcome)
          return done()
        }
        admitSession(request, reply, done, cookie, value as StoredRecord, outcome, now)
      })
    })
  })

  /** The store could not be read: the request is neither signed in nor anonymous (see `status`). */
  function unread (request: FastifyRequest, id: string, error: unknown, done: HookHandlerDoneFunction): void {
    outage.failed(error)
    ;(request as RequestWithSession)[kSession] = { id, unread: true }
    done()
  }

  /** A session that does not count: the cookie cleared and the session ended when the refusal says so. */
  function refuse (request: FastifyRequest, reply: FastifyReply, id: string, refusal: Refusal): void {
    request.log.debug({ reason: refusal.refused }, refusal.expired === undefined ? 'session cookie ignored' : 'session expired')
    if (refusal.clearCookie) clearCookie(reply)
    if (refusal.end) records.end(id).catch(() => {})
    if (refusal.expired !== undefined) emit({ type: 'session-expired', reason: expiredBy(refusal.expired.reason), userId: refusal.expired.userId, requestId: request.id })
  }

  /** A session that counts: the request's, its cookie re-signed after a secret rotation, its activity recorded every few minutes. */
  function admitSession (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction, cookie: UnsignedCookie, value: StoredRecord, record: SessionRecord, now: number): void {
    const session: LoadedSession = { id: cookie.id, record }
    ;(request as RequestWithSession)[kSession] = session
    if (cookie.renew) {
      // Signed with an older secret: send it again signed with the current one.
      setCookie(reply, options.cookieName, signer.sign(cookie.value), { ...cookieOptions, expires: new Date(cookie.until ?? value.cookie.expires) })
    }
    // Activity is recorded every few minutes, and tokens sealed under an older secret once the cookie is re-signed.
    if (now - value.googleSeenAt <= touchEvery && !(cookie.renew && value.googleTokens !== null && settings.seal.stale(value.googleTokens))) return done()
    // Recorded activity is written back; never for a session that ended meanwhile.
    records.update(cookie.id, (current) => ({ ...current, googleSeenAt: now }), value).then((written) => {
      if (written !== null) session.record = deepFreeze(written)
      done()
    }, (touchError: unknown) => {
      request.log.warn({ reason: (touchError as { reason?: string }).reason }, 'could not record session activity')
      done()
    })
  }

  const marks = accountMarks(records, clock)
  const binding = leanDeviceBinding({ options, records, admitRecord, signer, cookieOptions, loaded, marks, emit })

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
