import { Signer } from '@fastify/cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { LRUCache } from 'lru-cache'
import { fail } from '../errors.js'
import { clearCookie as dropCookie, findCookie, setCookie, type CookieAttributes } from '../http/cookies.js'
import type { Emit } from '../events.js'
import type { ResolvedOptions } from '../options.js'
import type { GoogleTokens, GoogleUser } from '../types.js'
import { BoundedMemoryStore } from './memory-store.js'
import { expiredBy, expiryReason, isSessionRecord, touchInterval, type SessionRecord } from './record.js'
import { genericBackend, hasOwnBackend, kSessionBackend, type SessionBackend } from './backend.js'
import { storeOutage } from './outage.js'
import type { Sessions } from './sessions.js'

/** How long one session store call may take before the request is answered 503. */
const STORE_TIMEOUT = 2_000

interface LoadedSession {
  id: string
  record: SessionRecord
}

const kSession = Symbol('fastify-google-oauth.session')
/** Marks a request whose session could not be read because the store failed. */
const STORE_DOWN = Symbol('store-unavailable')

type RequestWithSession = FastifyRequest & { [kSession]: LoadedSession | typeof STORE_DOWN | null }

/**
 * The plugin's own sessions: @fastify/session's store interface and signed cookie format, with
 * a fast path. A request without the cookie costs no allocation and no store access; a signed-in
 * request costs one HMAC check and one store read, and writes nothing unless activity must be
 * recorded (at most every few minutes). The cookie is only sent at sign-in, sign-out, and to
 * re-sign it after a secret rotation.
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
  const settings = { timeout: STORE_TIMEOUT, clock, maxSessionsPerUser: options.maxSessionsPerUser }
  const records: SessionBackend = hasOwnBackend(store) ? store[kSessionBackend](settings) : genericBackend(store, settings)
  if (records.close !== undefined) fastify.addHook('onClose', async () => { await records.close!() })
  const outage = storeOutage(fastify.log, clock)
  const cookieOptions: CookieAttributes & { path: '/' } = { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secure }
  const touchEvery = touchInterval(options)

  // Verified signatures, so that a signed-in request does not pay for an HMAC each time. Only
  // valid cookies are kept: the mapping from a cookie to its id cannot be forged into the cache.
  const verified = new LRUCache<string, { id: string, renew: boolean }>({ max: 10_000 })
  function unsign (cookie: string): { id: string, renew: boolean } | null {
    const known = verified.get(cookie)
    if (known !== undefined) return known
    const result = signer.unsign(cookie)
    if (!result.valid || result.value === null) return null
    const entry = { id: result.value, renew: result.renew }
    verified.set(cookie, entry)
    return entry
  }

  fastify.decorateRequest(kSession, null)

  const loaded = (request: FastifyRequest): LoadedSession | null => {
    const state = (request as RequestWithSession)[kSession]
    return state === null || state === STORE_DOWN ? null : state
  }

  function clearCookie (reply: FastifyReply): void {
    dropCookie(reply, options.cookieName, cookieOptions)
  }

  fastify.addHook('onRequest', function loadSession (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const cookie = findCookie(request.headers.cookie, options.cookieName)
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
    records.read(id, (error, value) => {
      if (error) {
        outage.failed(error)
        ;(request as RequestWithSession)[kSession] = STORE_DOWN
        return done()
      }
      outage.succeeded()
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
      // Read-only for the app, whatever the store gave back (the default store's copies are frozen already).
      if (!Object.isFrozen(value.googleUser)) Object.freeze(value.googleUser)
      const session: LoadedSession = { id, record: value }
      ;(request as RequestWithSession)[kSession] = session
      if (unsigned.renew) {
        // Signed with an older secret: send it again signed with the current one.
        setCookie(reply, options.cookieName, signer.sign(id), { ...cookieOptions, expires: new Date(value.cookie.expires) })
      }
      if (now - value.googleSeenAt <= touchEvery) return done()
      // Recorded activity is written back; never for a session that ended meanwhile.
      records.update(id, (current) => ({ ...current, googleSeenAt: now }), value).then((written) => {
        if (written !== null) session.record = written
        done()
      }, (touchError: unknown) => {
        request.log.warn({ reason: (touchError as { reason?: string }).reason }, 'could not record session activity')
        done()
      })
    })
  })

  return {
    user: (request) => loaded(request)?.record.googleUser ?? null,
    tokens: (request) => loaded(request)?.record.googleTokens ?? null,
    status (request) {
      const state = (request as RequestWithSession)[kSession]
      return state === STORE_DOWN ? 'store-unavailable' : state === null ? 'anonymous' : 'signed-in'
    },

    async signIn (request: FastifyRequest, reply: FastifyReply, user: GoogleUser, tokens: GoogleTokens): Promise<void> {
      const previous = loaded(request)
      if (previous !== null) await records.end(previous.id)
      const id = records.newId(user.id)
      const now = clock.now()
      const expires = new Date(now + options.absoluteTimeout)
      const record: SessionRecord = {
        cookie: { ...cookieOptions, originalMaxAge: options.absoluteTimeout, expires: expires.toISOString() },
        googleUser: Object.isFrozen(user) ? user : Object.freeze({ ...user }),
        googleTokens: tokens,
        googleSignedInAt: now,
        googleSeenAt: now
      }
      await records.create(id, record)
      ;(request as RequestWithSession)[kSession] = { id, record }
      setCookie(reply, options.cookieName, signer.sign(id), { ...cookieOptions, expires })
    },

    async signOut (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      const state = (request as RequestWithSession)[kSession]
      if (state === STORE_DOWN) throw fail('SESSION_STORE_UNAVAILABLE', 'store-down-at-sign-out')
      if (state !== null) {
        await records.end(state.id)
        ;(request as RequestWithSession)[kSession] = null
      }
      if (findCookie(request.headers.cookie, options.cookieName).count > 0) clearCookie(reply)
    },

    async signOutEverywhere (userId: string): Promise<number> {
      if (records.endAllOf === undefined) {
        throw fail('NOT_SUPPORTED', 'no-user-index', 'signOutEverywhere needs a per-user index of sessions: the default store and the plugin\'s Redis store (fastify-google-oauth/redis) have one, this store has none.')
      }
      return await records.endAllOf(userId)
    },

    async updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser> {
      const session = loaded(request)
      if (session === null) throw fail('UNAUTHENTICATED', 'update-user-signed-out')
      const userId = session.record.googleUser.id
      const written = await records.update(session.id, (current) => current.googleUser.id === userId
        ? { ...current, googleUser: { ...current.googleUser, ...fields, id: userId } }
        : null)
      if (written === null) throw fail('UNAUTHENTICATED', 'update-user-session-ended')
      session.record = { ...written, googleUser: Object.freeze({ ...written.googleUser }) }
      return session.record.googleUser
    },

    tokenOwner (request: FastifyRequest) {
      const session = loaded(request)
      if (session === null) return null
      const { id } = session
      const userId = session.record.googleUser.id
      return {
        key: id,
        owner: {
          // Read, check, write: never revives a session that ended or changed hands meanwhile, and a
          // refresh never overwrites tokens newer than those it replaced.
          save: async (tokens: GoogleTokens, replacing?: GoogleTokens) => {
            const written = await records.update(id, (current) => current.googleUser.id === userId &&
              (replacing === undefined || current.googleTokens.accessToken === replacing.accessToken)
              ? { ...current, googleTokens: tokens }
              : null)
            if (written !== null) session.record = written
            return written !== null
          },
          ...(records.refreshOnce !== undefined && {
            refreshOnce: (previous: GoogleTokens, refresh: () => Promise<GoogleTokens>) => records.refreshOnce!(id, previous, refresh)
          }),
          adopt: (tokens: GoogleTokens) => { session.record = { ...session.record, googleTokens: tokens } },
          end: () => records.end(id)
        }
      }
    }
  }
}
