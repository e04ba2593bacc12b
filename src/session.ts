import fastifyCookie from '@fastify/cookie'
import fastifySession from '@fastify/session'
import type { FastifyInstance, FastifyReply, FastifyRequest, Session } from 'fastify'
import { BoundedMemoryStore } from './memory-store.js'
import type { ResolvedOptions } from './options.js'
import { guardStore } from './store-guard.js'

/** How long a session store call may take before the request fails with 503. */
const STORE_TIMEOUT = 2_000

/**
 * Registers @fastify/cookie and @fastify/session unless the host already has them, with safe
 * settings: HttpOnly, SameSite=Lax, Secure for https apps, no session stored for anonymous
 * visitors, no store write on requests that changed nothing.
 */
export async function registerSessions (fastify: FastifyInstance, options: ResolvedOptions): Promise<{ ownSession: boolean }> {
  if (!fastify.hasPlugin('@fastify/cookie')) {
    await fastify.register(fastifyCookie)
  }
  if (fastify.hasPlugin('@fastify/session')) return { ownSession: false }
  const store = options.store ?? new BoundedMemoryStore({ maxSessions: options.maxSessions, ttl: options.idleTimeout })
  await fastify.register(fastifySession, {
    secret: options.secrets.length === 1 ? options.secrets[0] as string : options.secrets,
    cookieName: options.cookieName,
    saveUninitialized: false,
    rolling: false,
    store: guardStore(store, STORE_TIMEOUT),
    cookie: {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure,
      maxAge: options.absoluteTimeout
    }
  })
  return { ownSession: true }
}

/** Removes the signed-in user and tokens from a session object. */
export function forgetUser (session: Session): void {
  delete session.googleUser
  delete session.googleTokens
  delete session.googleSignedInAt
  delete session.googleSeenAt
}

/**
 * onRequest hook enforcing the idle and absolute timeouts server-side, and recording activity
 * at most every few minutes (so a busy user does not cause a store write per request).
 */
export function sessionLifetime (options: ResolvedOptions) {
  const touchEvery = Math.min(5 * 60_000, Math.floor(options.idleTimeout / 4))
  return function enforceSessionLifetime (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    const session = request.session as Session | null | undefined
    if (session?.googleUser === undefined) return done()
    const now = Date.now()
    const signedInAt = session.googleSignedInAt ?? 0
    const seenAt = session.googleSeenAt ?? signedInAt
    if (now - signedInAt > options.absoluteTimeout || now - seenAt > options.idleTimeout) {
      request.log.debug({ reason: now - signedInAt > options.absoluteTimeout ? 'absolute-timeout' : 'idle-timeout' }, 'google sign-in session expired')
      forgetUser(session)
      return done()
    }
    if (now - seenAt > touchEvery) session.googleSeenAt = now
    done()
  }
}
