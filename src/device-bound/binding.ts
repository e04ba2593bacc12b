import type { FastifyReply, FastifyRequest } from 'fastify'
import { createHmac } from 'node:crypto'
import { deriveKey, randomToken, sameText } from '../crypto.js'
import { pluginError } from '../errors.js'
import type { Emit } from '../events.js'
import type { Marks } from '../session/records.js'
import type { SessionRecord } from '../session/record.js'
import type { LoadedSession } from '../session/token-owner.js'
import { CHALLENGE_HEADER, challengeHeader, readItem, REGISTRATION_HEADER, registrationHeader, RESPONSE_HEADER, SESSION_ID_HEADER } from './headers.js'
import { MAX_PROOF_LENGTH, verifyRefresh, verifyRegistration } from './proof.js'
import type { BoundKey, DeviceBoundSettings, DeviceKey, PendingChallenge, SessionInstructions } from './types.js'

/** What device binding needs from the plugin's own sessions. */
export interface BoundSessions {
  /** The request's session (from its cookie), or null. */
  current (request: FastifyRequest): LoadedSession | null
  /** A session by id, checked as a request's is (expiry, sign-out, revocation); null when it no longer counts. Store failure: SESSION_STORE_UNAVAILABLE. */
  load (id: string): Promise<LoadedSession | null>
  /** A checked write (see SessionRecords.update): null when the session ended or `change` declined. */
  update (id: string, change: (current: SessionRecord) => SessionRecord | null): Promise<SessionRecord | null>
  /** Sends the session's bound cookie, counting until `until`. */
  sendBoundCookie (reply: FastifyReply, id: string, until: number): void
  /** Attributes of the session cookie as `Set-Cookie` writes them (what the browser must find). */
  cookieAttributes: string
  cookieName: string
  marks: Marks
}

export interface DeviceBindingOptions {
  settings: DeviceBoundSettings
  secrets: readonly string[]
  routes: { register: string, refresh: string }
  /** Absolute session lifetime (ms): a bound cookie never outlives its session. */
  absoluteTimeout: number
  now: () => number
  emit: Emit
}

/** The longest session identifier read: a session id and its MAC are under 100 characters. */
const MAX_SESSION_ID_LENGTH = 512

/** The HKDF label of the key session identifiers are tagged with (no other key of the plugin is derived with it). */
const IDENTIFIER_LABEL = 'fastify-google-oauth device-bound session id v1'
/** Characters of an identifier's tag: 22 of base64url, 128 bits of an HMAC. */
const TAG_LENGTH = 22

/**
 * Device Bound Session Credentials: at sign-in the answer asks the browser to register a key; once
 * registered, the session's long-lived cookie is replaced by a short-lived one that only a proof
 * signed by that key renews. Challenges are random, one-time (in the record, and marked used in the
 * store), short-lived and bound to their session. Browsers that do not register are unaffected.
 */
export function createDeviceBinding (sessions: BoundSessions, options: DeviceBindingOptions) {
  const { settings, emit } = options
  // The session identifier the browser keeps and sends back: stable for the session (the browser
  // keys its bound sessions by it), the session id with a MAC so that none can be made up.
  const keys = options.secrets.map((secret) => deriveKey(secret, IDENTIFIER_LABEL))
  const tagOf = (key: Buffer, id: string): string => createHmac('sha256', key).update(id).digest('base64url').slice(0, TAG_LENGTH)
  const identifierOf = (id: string): string => `${id}.${tagOf(keys[0]!, id)}`
  function idOf (identifier: string): string | null {
    const dot = identifier.lastIndexOf('.')
    if (dot <= 0) return null
    const id = identifier.slice(0, dot)
    const tag = identifier.slice(dot + 1)
    return keys.some((key) => sameText(tagOf(key, id), tag)) ? id : null
  }

  /** A fresh random challenge, answerable for `lifetime` ms. */
  const newChallenge = (lifetime = settings.challengeLifetime): PendingChallenge => ({ value: randomToken(32), until: options.now() + lifetime })
  const boundUntil = (record: SessionRecord): number => Math.min(options.now() + settings.cookieLifetime, record.googleSignedInAt + options.absoluteTimeout)

  /** `identifier`: the one the browser knows the session by (kept as is after a rotation of `secret`). */
  function instructions (identifier: string): SessionInstructions {
    return {
      session_identifier: identifier,
      refresh_url: options.routes.refresh,
      scope: { include_site: false },
      credentials: [{ type: 'cookie', name: sessions.cookieName, attributes: sessions.cookieAttributes }]
    }
  }

  /** True once: the challenge matches the record's pending one, has not expired, and was not used on any instance. */
  async function spend (pending: PendingChallenge | undefined, answered: string): Promise<boolean> {
    if (pending === undefined || !sameText(pending.value, answered) || pending.until < options.now()) return false
    // Remembered as used for as long as it could still be answered.
    return await sessions.marks.firstTime(`dbsc:${pending.value}`, pending.until - options.now() + 1_000)
  }

  const refused = (request: FastifyRequest, userId: string | null, reason: string): void => {
    emit({ type: 'session-refresh-refused', reason, userId, requestId: request.id })
  }

  /**
   * The challenge for a session's next proof, in `Secure-Session-Challenge`: its pending one while
   * that has at least half its lifetime left (asking again writes nothing, and cannot push the
   * device's challenge out), else a new one kept in its record. False when the session ended.
   */
  async function sendChallenge (reply: FastifyReply, session: LoadedSession, identifier: string, reuse: boolean): Promise<boolean> {
    const pending = session.record.googleChallenge
    let challenge = reuse && pending !== undefined && pending.until - options.now() >= settings.challengeLifetime / 2 ? pending : null
    if (challenge === null) {
      const fresh = newChallenge()
      const written = await sessions.update(session.id, (current) => current.googleDeviceKey === undefined ? null : { ...current, googleChallenge: fresh })
      if (written === null) return false
      challenge = fresh
    }
    reply.header(CHALLENGE_HEADER, challengeHeader(challenge.value, identifier))
    return true
  }

  return {
    /** The registration challenge a new session starts with. */
    challengeForSignIn: (): PendingChallenge => newChallenge(),

    /** Asks the browser to register a key (on the answer that sets the session cookie). */
    askToRegister (reply: FastifyReply, id: string, challenge: PendingChallenge): void {
      reply.header(REGISTRATION_HEADER, registrationHeader(options.routes.register, challenge.value, identifierOf(id)))
    },

    /** Whether the request's session is bound to its device. */
    isBound: (request: FastifyRequest): boolean => sessions.current(request)?.record.googleDeviceKey !== undefined,

    /**
     * `POST …/dbsc/register`: the browser's proof of its new key, signed over the sign-in's
     * challenge, for the session the proof's `authorization` names (the registration header gave
     * it), else the request's cookie session. The key is stored and the long-lived cookie replaced
     * by a bound one. A session bound already keeps its key.
     */
    async register (request: FastifyRequest, reply: FastifyReply): Promise<SessionInstructions> {
      const proof = readItem(request.headers[RESPONSE_HEADER], MAX_PROOF_LENGTH)
      if (proof === null) throw pluginError('DEVICE_BINDING_MALFORMED', 'no-proof')
      const { key, challenge, authorization } = await verifyRegistration(proof)
      const named = authorization === null ? null : idOf(authorization)
      if (authorization !== null && named === null) throw pluginError('DEVICE_BINDING_MALFORMED', 'authorization')
      const own = sessions.current(request)
      // A browser signed in to another session cannot bind this one.
      if (named !== null && own !== null && own.id !== named) throw pluginError('DEVICE_BINDING_MALFORMED', 'authorization-other-session')
      const session = named === null ? own : await sessions.load(named)
      if (session === null) throw pluginError('UNAUTHENTICATED', 'dbsc-register-signed-out')
      if (session.record.googleDeviceKey !== undefined) throw pluginError('DEVICE_ALREADY_BOUND', 'already-bound')
      if (!(await spend(session.record.googleChallenge, challenge))) throw pluginError('DEVICE_CHALLENGE_INVALID', 'registration-challenge')
      const now = options.now()
      const written = await sessions.update(session.id, (current) => current.googleDeviceKey !== undefined || current.googleChallenge?.value !== challenge
        ? null
        : { ...withoutChallenge(current), googleDeviceKey: { ...key, boundAt: now } })
      if (written === null) throw pluginError('DEVICE_CHALLENGE_INVALID', 'registration-raced')
      // Another registration's key got there first (a store without atomic writes): that one stays.
      if (!sameKey(written.googleDeviceKey, key)) throw pluginError('DEVICE_ALREADY_BOUND', 'registration-lost')
      sessions.sendBoundCookie(reply, session.id, boundUntil(written))
      emit({ type: 'session-bound', algorithm: key.alg, userId: written.googleUser.id, requestId: request.id })
      return instructions(identifierOf(session.id))
    },

    /**
     * `POST …/dbsc/refresh`: without a proof, a challenge (403 and `Secure-Session-Challenge`);
     * with a proof signed by the session's key over its pending challenge, a fresh bound cookie
     * and the next challenge ahead. A session that ended tells the browser to stop (`continue: false`).
     */
    async refresh (request: FastifyRequest, reply: FastifyReply): Promise<SessionInstructions | { continue: false }> {
      const identifier = readItem(request.headers[SESSION_ID_HEADER], MAX_SESSION_ID_LENGTH)
      const id = identifier === null ? null : idOf(identifier)
      if (identifier === null || id === null) throw pluginError('DEVICE_BINDING_MALFORMED', 'session-identifier')
      const session = await sessions.load(id)
      if (session === null) {
        refused(request, null, 'session-ended')
        return { continue: false }
      }
      const userId = session.record.googleUser.id
      const key = session.record.googleDeviceKey
      if (key === undefined) {
        refused(request, userId, 'not-bound')
        throw pluginError('DEVICE_BINDING_MALFORMED', 'not-bound')
      }
      const header = request.headers[RESPONSE_HEADER]
      if (header === undefined) {
        if (!(await sendChallenge(reply, session, identifier, true))) return { continue: false }
        throw pluginError('DEVICE_PROOF_REQUIRED', 'challenge-sent')
      }
      const proof = readItem(header, MAX_PROOF_LENGTH)
      if (proof === null) {
        refused(request, userId, 'proof-unreadable')
        throw pluginError('DEVICE_BINDING_MALFORMED', 'proof-unreadable')
      }
      let challenge: string
      try {
        challenge = await verifyRefresh(proof, key)
      } catch (error) {
        refused(request, userId, (error as { reason?: string }).reason ?? 'proof-invalid')
        throw error
      }
      // Sent ahead, it is signed at the next refresh, when this cookie runs out: it lasts until then.
      const next = newChallenge(settings.cookieLifetime + settings.challengeLifetime)
      const written = await spend(session.record.googleChallenge, challenge) &&
        await sessions.update(id, (current) => current.googleChallenge?.value === challenge && sameKey(current.googleDeviceKey, key) ? { ...current, googleChallenge: next } : null)
      if (written === false || written === null) {
        // Stale, expired or used already (a copy replayed, or a refresh that lost a race): a new one to sign.
        refused(request, userId, 'challenge-invalid')
        if (!(await sendChallenge(reply, session, identifier, false))) return { continue: false }
        throw pluginError('DEVICE_CHALLENGE_INVALID', 'refresh-challenge')
      }
      sessions.sendBoundCookie(reply, id, boundUntil(written))
      // The next challenge ahead: the browser signs it at the next refresh, one round trip saved.
      reply.header(CHALLENGE_HEADER, challengeHeader(next.value, identifier))
      return instructions(identifier)
    }
  }
}

export type DeviceBinding = ReturnType<typeof createDeviceBinding>

function withoutChallenge (record: SessionRecord): SessionRecord {
  const { googleChallenge: _spent, ...rest } = record
  return rest
}

const sameKey = (a: BoundKey | undefined, b: DeviceKey): boolean =>
  a !== undefined && a.alg === b.alg && JSON.stringify(a.jwk) === JSON.stringify(b.jwk)
