import type { Server } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { pluginError } from '../errors.js'
import type { Clock } from '../options.js'
import type { Sessions } from '../session/sessions.js'
import type { BearerAuth, BearerError } from '../sign-in/bearer.js'
import { grantedScopes, missingScopes, saysScopesDenied, type ScopeRegistry } from '../sign-in/scopes.js'
import { kGuardOf } from './decorators.js'
import { carriesBearer, errorBody, loggedFailure, sendError, type ErrorPages } from './error-reply.js'
import type { Identity } from './identity.js'
import { isPageNavigation } from './request-kind.js'

export interface GuardOptions {
  sessions: Sessions
  identity: Identity
  /** Bearer ID tokens, with the `bearer` option. */
  bearer: BearerAuth | null
  /** The time tokens expire by. */
  clock: Pick<Clock, 'now'>
  pages: ErrorPages
  /** The app's origin: the realm of `WWW-Authenticate` answers. */
  realm: string
  /** The start route, where a grant of more scopes begins. */
  startUrl: string
  scopes: ScopeRegistry
  /** The app the guards belong to: a route of another app using them is refused at startup. */
  server: Server
}

type Guard = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

const JSON_TYPE = 'application/json; charset=utf-8'

/** What a Bearer client is told when a route needs Google access: it cannot get it through this app. */
const BEARER_NO_ACCESS = 'This needs access to Google APIs (the scopes in missingScopes), which a Google ID token does not grant. Ask for those scopes with Google\'s own SDK in your app and call Google with the access token it gives you.'

/**
 * The guards: `fastify.authenticate`, and `requireScopes(scopes)` on top of it. Signed-in requests
 * go on; signed-out page navigations go to the login page (with `returnTo`) and API requests get
 * 401 JSON. Only the server-side session counts, or, with the `bearer` option, a verified Google ID
 * token in the `Authorization` header. Protected responses are never cached.
 */
export function createGuards (options: GuardOptions) {
  const { sessions, identity, bearer, pages, realm } = options
  const { loginUrl } = pages
  const separator = loginUrl.includes('?') ? '&' : '?'
  // The 401 answer is the same for every request: serialized once; a token's client gets no login URL.
  const body = JSON.stringify(errorBody(pluginError('UNAUTHENTICATED'), loginUrl))
  const bodyForToken = JSON.stringify(errorBody(pluginError('UNAUTHENTICATED'), null))
  const challenge = (error?: string, extra = ''): string => `Bearer realm="${realm}"${error === undefined ? '' : `, error="${error}"`}${extra}`

  function refuseBearer (request: FastifyRequest, reply: FastifyReply, error: unknown): void {
    const failure = loggedFailure(error, request) as BearerError
    if (failure.challenge !== undefined) reply.header('www-authenticate', challenge(failure.challenge))
    // Never a page, a redirect or a login URL: the request carried a credential, its client is no browser.
    reply.code(failure.statusCode).header('content-type', JSON_TYPE).send(errorBody(failure, null))
  }

  function authenticate (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    reply.header('cache-control', 'no-store')
    if (bearer !== null && identity.byHeader(request)) {
      let user
      try {
        user = bearer.authenticate(request.headers.authorization!, request)
      } catch (error) {
        refuseBearer(request, reply, error)
        return
      }
      if (!(user instanceof Promise)) {
        // A token verified before: a lookup, no promise.
        identity.setBearerUser(request, user)
        done()
        return
      }
      user.then((verified) => {
        identity.setBearerUser(request, verified)
        done()
      }, (error: unknown) => refuseBearer(request, reply, error))
      return
    }
    const status = sessions.status(request)
    if (status === 'signed-in') {
      done()
      return
    }
    if (status === 'store-unavailable') {
      sendError(request, reply, pluginError('SESSION_STORE_UNAVAILABLE', 'guard'), pages)
      return
    }
    request.log.debug({ reason: 'no-signed-in-user' }, 'guard refused request')
    if (isPageNavigation(request)) {
      reply.redirect(`${loginUrl}${separator}returnTo=${encodeURIComponent(request.url)}`, 302)
      return
    }
    if (bearer !== null) reply.header('www-authenticate', challenge())
    // (With the `bearer` option a request with a header never gets here.)
    reply.code(401).header('content-type', JSON_TYPE).send(bearer === null && carriesBearer(request) ? bodyForToken : body)
  }

  const owned = <T extends Guard>(guard: T): T => Object.assign(guard, { [kGuardOf]: options.server })

  /**
   * A guard for routes that need Google scopes beyond sign-in: signed in as `authenticate` checks,
   * then every scope granted, or page navigations go to Google to grant the missing ones and come
   * back (once: a person who declines sees a page saying so), and API requests get 403 JSON with
   * the URL that grants them (Bearer requests: without it, since a token's client cannot use it).
   */
  function requireScopes (scopes: string[]): Guard {
    const wanted = options.scopes.add(scopes)
    return owned(function requireGoogleScopes (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
      authenticate(request, reply, (error) => {
        if (error !== undefined) return done(error)
        const tokens = identity.tokens(request)
        // Access that cannot be renewed (no refresh token) and has expired, or expires within a minute, is granted again, as if missing.
        const lapsed = tokens !== null && tokens.refreshToken === null && tokens.expiresAt !== null && tokens.expiresAt < options.clock.now() + 60_000
        const missing = lapsed ? wanted : missingScopes(wanted, grantedScopes(tokens))
        if (missing.length === 0) return done()
        request.log.debug({ reason: 'missing-scopes', missing }, 'guard refused request')
        if (identity.byHeader(request)) {
          // An ID token grants no Google access, and the start route cannot give a token's client
          // any: no grantUrl, but what to do instead.
          const failure = pluginError('INSUFFICIENT_SCOPE', 'bearer:missing-scopes', BEARER_NO_ACCESS)
          failure.missingScopes = missing
          reply.header('www-authenticate', challenge('insufficient_scope', `, scope="${missing.join(' ')}"`))
          reply.code(403).header('content-type', JSON_TYPE).send(errorBody(failure, null))
          return
        }
        const grantUrl = `${options.startUrl}?${new URLSearchParams({ scope: missing.join(' '), returnTo: request.url }).toString()}`
        const declined = saysScopesDenied(request.url)
        if (!declined && isPageNavigation(request)) {
          reply.redirect(grantUrl, 302)
          return
        }
        const failure = pluginError('INSUFFICIENT_SCOPE', declined ? 'scopes-declined' : 'missing-scopes', declined
          ? 'You did not grant the access to your Google account that this page needs. You are still signed in; grant it to use this page.'
          : 'This needs access to your Google account that you have not granted yet.')
        failure.grantUrl = grantUrl
        failure.missingScopes = missing
        sendError(request, reply, failure, pages)
      })
    })
  }

  /** True when the request's session is bound to its device; never for a Bearer token (no session). */
  const isDeviceBound = (request: FastifyRequest): boolean => !identity.byHeader(request) && sessions.deviceBinding?.isBound(request) === true

  /**
   * A guard for sensitive routes: signed in as `authenticate` checks, with a session bound to its
   * device (`deviceBound`); otherwise 403 DEVICE_BOUND_REQUIRED (a page for browsers, JSON for
   * APIs). A Bearer token is never device-bound.
   */
  function requireDeviceBound (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    authenticate(request, reply, (error) => {
      if (error !== undefined) return done(error)
      if (isDeviceBound(request)) return done()
      request.log.debug({ reason: 'session-not-device-bound' }, 'guard refused request')
      sendError(request, reply, pluginError('DEVICE_BOUND_REQUIRED', 'not-device-bound'), pages)
    })
  }

  return { authenticate: owned(authenticate), requireScopes, requireDeviceBound: owned(requireDeviceBound), isDeviceBound }
}
