import type { FastifySessionObject } from '@fastify/session'
import type { FastifyInstance, FastifyReply, FastifyRequest, Session } from 'fastify'
import { pluginError } from '../errors.js'
import type { Emit } from '../events.js'
import { invalid } from '../options/checks.js'
import type { ResolvedOptions } from '../options.js'
import type { GoogleTokens, GoogleUser } from '../types.js'
import { deepFreeze } from './deep-freeze.js'
import { expiredBy, expiryReason, touchInterval } from './record.js'
import { Revocations, type AdmissionTicket } from './revocations.js'
import { tokenSeal } from './sealed-tokens.js'
import type { Sessions } from './sessions.js'

const storeFailure = (error: unknown, step: string) =>
  pluginError('SESSION_STORE_UNAVAILABLE', (error as { reason?: string }).reason ?? `store-${step}-failed`)

/** The app's keys of a session to copy into the new one at sign-in (never the plugin's own, nor `cookie`). */
function keptKeys (session: Session, keep: boolean | readonly string[]): string[] {
  if (keep === false) return []
  const own = Object.keys(session).filter((key) => key !== 'cookie' && !key.startsWith('google'))
  return keep === true ? own : own.filter((key) => keep.includes(key))
}

/** Removes the signed-in user and tokens from a host session. */
function forgetUser (session: Session): void {
  delete session.googleUser
  delete session.googleTokens
  delete session.googleSignedInAt
  delete session.googleSeenAt
}

const sessionOf = (request: FastifyRequest): FastifySessionObject | null => {
  const session = request.session as FastifySessionObject | null | undefined
  return session && typeof session.regenerate === 'function' ? session : null
}

/**
 * Sign-in sessions kept in the host's own @fastify/session (registered before this plugin):
 * the plugin's data lives beside the host's, under `googleUser`, `googleTokens` (sealed: the host's
 * store never sees Google's tokens), ... The timeouts, and tokens that cannot be opened (a removed
 * secret, a changed value), are enforced by an onRequest hook. The user and the tokens are deeply frozen wherever they are
 * put into the session or found in it, so that a route cannot change them in place (the host's
 * store would save the change); the session object itself stays the host's, never frozen.
 */
export function useHostSessions (fastify: FastifyInstance, options: ResolvedOptions, emit: Emit): Sessions {
  if (options.deviceBound !== null) {
    // The session cookie is the app's: the plugin cannot replace it with a short-lived bound one.
    throw invalid('options.deviceBound needs the plugin\'s own sessions, whose cookie it replaces with a short-lived bound one; with your own @fastify/session the cookie is yours. Remove the app\'s @fastify/session registration (give its store as options.store), or leave deviceBound out.')
  }
  const touchEvery = touchInterval(options)
  // Admissions take tickets from it; nothing revokes here (`revoke` is NOT_SUPPORTED: the app's store
  // has no index of sessions by user, nor a channel), so no session is checked against it.
  const revocations = new Revocations({ now: options.clock.now })
  const seal = tokenSeal(options.secrets, fastify.log)

  /** The session's tokens opened (remembered by sealed value: a lookup once opened), null without, or why they cannot be. */
  const tokensOf = (session: Session) => session.googleTokens === undefined || session.googleUser === undefined
    ? null
    : seal.open(session.googleTokens, session.googleUser.id)

  fastify.addHook('onRequest', function enforceSessionLifetime (request: FastifyRequest, _reply: FastifyReply, done): void {
    const session = sessionOf(request)
    if (session?.googleUser === undefined) return done()
    const now = options.clock.now()
    const signedInAt = session.googleSignedInAt ?? 0
    const reason = expiryReason({ googleSignedInAt: signedInAt, googleSeenAt: session.googleSeenAt ?? signedInAt }, options, now)
    if (reason !== null) {
      request.log.debug({ reason }, 'google sign-in session expired')
      emit({ type: 'session-expired', reason: expiredBy(reason), userId: session.googleUser.id, requestId: request.id })
      forgetUser(session)
      return done()
    }
    const tokens = tokensOf(session)
    if (typeof tokens === 'string') {
      request.log.debug({ reason: tokens }, 'google sign-in session ignored')
      forgetUser(session)
      return done()
    }
    // Read-only for the app, as with the plugin's own sessions (the host's store may give back
    // live or freshly parsed objects).
    deepFreeze(session.googleUser)
    deepFreeze(session.googleTokens)
    if (now - (session.googleSeenAt ?? signedInAt) > touchEvery) {
      session.googleSeenAt = now
    }
    // Tokens plain or sealed under an older secret are sealed again under the current one (once).
    if (tokens !== null && seal.stale(session.googleTokens!)) session.googleTokens = seal.seal(tokens, session.googleUser.id)
    done()
  })

  return {
    user: (request) => sessionOf(request)?.googleUser ?? null,
    tokens (request) {
      const session = sessionOf(request)
      const tokens = session === null ? null : tokensOf(session)
      return typeof tokens === 'string' ? null : tokens
    },
    status: (request) => sessionOf(request)?.googleUser === undefined ? 'anonymous' : 'signed-in',

    revocations,

    async signIn (request: FastifyRequest, _reply: FastifyReply, user: GoogleUser, tokens: GoogleTokens | null, ticket: AdmissionTicket): Promise<void> {
      if (revocations.interrupted(ticket, user.id)) throw pluginError('SIGN_IN_INTERRUPTED', 'revoked-during-sign-in')
      try {
        // A new session id (fixation defence): @fastify/session destroys the old id in the store,
        // and copies over only the keys the app chose to keep.
        await request.session.regenerate(keptKeys(request.session, options.keepSessionInfo))
      } catch (error) {
        throw storeFailure(error, 'regenerate')
      }
      const now = options.clock.now()
      Object.assign(request.session, { googleUser: deepFreeze({ ...user }), googleSignedInAt: now, googleSeenAt: now })
      if (tokens !== null) request.session.googleTokens = seal.seal(tokens, user.id)
      try {
        await request.session.save()
      } catch (error) {
        throw storeFailure(error, 'save')
      }
    },

    async signOut (request: FastifyRequest): Promise<void> {
      const session = sessionOf(request)
      if (session === null) return
      // The host owns the session: only take the plugin's data out of it.
      forgetUser(session)
      try {
        await session.save()
      } catch (error) {
        throw storeFailure(error, 'save')
      }
    },

    async revoke (): Promise<number> {
      throw pluginError('NOT_SUPPORTED', 'no-user-index', 'signOutEverywhere needs a per-user index of sessions, which the app\'s own @fastify/session does not keep. Use the plugin\'s sessions (its default store) for it.')
    },

    async updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser> {
      const session = sessionOf(request)
      if (session?.googleUser === undefined) throw pluginError('UNAUTHENTICATED', 'update-user-signed-out')
      session.googleUser = deepFreeze({ ...session.googleUser, ...fields, id: session.googleUser.id })
      try {
        await session.save()
      } catch (error) {
        throw storeFailure(error, 'save')
      }
      return session.googleUser
    },

    tokenOwner (request: FastifyRequest) {
      const session = sessionOf(request)
      if (session?.googleUser === undefined) return null
      return {
        key: session.sessionId,
        owner: {
          // Saved by @fastify/session when the response is sent.
          save: async (tokens: GoogleTokens) => {
            if (session.googleUser === undefined) return false
            session.googleTokens = seal.seal(tokens, session.googleUser.id)
            return true
          },
          adopt: (tokens: GoogleTokens) => {
            if (session.googleUser !== undefined) session.googleTokens = seal.seal(tokens, session.googleUser.id)
          },
          end: async () => {
            forgetUser(session)
            await session.save()
          }
        }
      }
    }
  }
}
