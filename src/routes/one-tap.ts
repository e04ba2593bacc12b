import type { FastifyInstance } from 'fastify'
import { pluginError, isPluginError } from '../errors.js'
import { withDeadline } from '../google/client.js'
import { allCookies } from '../http/cookies.js'
import { whyNotPending } from '../sign-in/why-not-pending.js'
import { readState } from '../sign-in/callback-params.js'
import { readOneTapPost } from '../sign-in/one-tap.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

/** The cookie Google's script sets beside the form field of the same name (double-submit). */
const CSRF_COOKIE = 'g_csrf_token'

/**
 * POST /oauth2/google/one-tap: a sign-in from Google's button or One Tap prompt. Google's script
 * posts `credential` (an ID token) and `g_csrf_token` here, from a page that showed them for an
 * attempt of this browser (the `state` in the URL). Checked: the CSRF double-submit, the attempt
 * (this browser's, pending, not expired), the ID token with the attempt's nonce; then the same
 * sign-in as the redirect flow (policies, onSignIn, a new session, events, returnTo).
 */
export function oneTapRoute (app: FastifyInstance, { options, idTokens, attempts, sessions, admit, emit, identity }: RouteContext): void {
  app.post(options.routes.oneTap, { bodyLimit: 8192 }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    // A revocation of the user from now on refuses this sign-in.
    const ticket = sessions.revocations.begin()
    const credential = readOneTapPost(request.body, allCookies(request)[CSRF_COOKIE])
    const taken = attempts.take(request, reply, readState(request.query as Record<string, unknown>, request.raw.url ?? ''))
    if (!taken.ok) throw whyNotPending(taken, options.appOrigin)
    const returnTo = safeReturnTo(taken.attempt.returnTo)
    try {
      let verified
      try {
        verified = await withDeadline(options.googleDeadline, () => idTokens.verify(credential, { nonce: taken.attempt.nonce, accessToken: null }), options.clock)
      } catch (error) {
        // The credential came through the browser, not from Google directly: a bad one is a bad request.
        // (Google's keys failing to download stays Google's failure.)
        if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID') throw pluginError('CREDENTIAL_INVALID', error.reason)
        throw error
      }
      const user = await admit({ user: verified.user, claims: verified.claims, scopes: [], request, method: 'one-tap' })
      // No access to Google yet (a route that needs it asks with requireScopes, a grant through Google),
      // unless this browser was signed in as the same account: its access stays with the new session.
      const held = identity.user(request)?.id === user.id ? identity.tokens(request) : null
      await sessions.signIn(request, reply, user, held, ticket, 'one-tap')
      request.log.debug({ sub: user.id }, 'google sign-in completed (one tap)')
      emit({ type: 'sign-in', method: 'one-tap', scopes: [], userId: user.id, requestId: request.id })
      return reply.redirect(returnTo, 303)
    } catch (error) {
      if (isPluginError(error)) error.returnTo = returnTo
      throw error
    }
  })
}
