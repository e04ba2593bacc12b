import type { FastifyInstance, FastifyRequest } from 'fastify'
import { pluginError, isPluginError } from '../errors.js'
import { withDeadline } from '../google/client.js'
import { carryOver, exchangeCode } from '../google/exchange-code.js'
import { whyNotPending } from '../sign-in/why-not-pending.js'
import { readCallbackParams, readState } from '../sign-in/callback-params.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import { grantedScopes, missingScopes, withoutScopesDenied, withScopesDenied } from '../sign-in/scopes.js'
import type { Sessions } from '../session/sessions.js'
import type { GoogleTokens } from '../types.js'
import type { RouteContext } from './context.js'

const PROVIDER_ERROR = /^[a-z_]{1,40}$/

/** GET /oauth2/google/callback: completes the attempt this browser started, or refuses it. */
export function callbackRoute (app: FastifyInstance, { options, google, idTokens, attempts, sessions, admit, emit, identity }: RouteContext): void {
  app.get(options.routes.callback, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    // A revocation of the user from now on refuses this sign-in.
    const ticket = sessions.revocations.begin()
    const query = request.query as Record<string, unknown>
    const state = readState(query, request.raw.url ?? '')
    const taken = attempts.take(request, reply, state)
    if (!taken.ok) {
      // Back from Google's chooser, or the callback opened again, in a browser already signed in:
      // nothing to complete, so on to where it was going (when the attempt says, else home).
      if (request.googleUser !== null && (taken.reason === 'no-attempt-cookie' || taken.reason === 'replayed')) {
        request.log.debug({ reason: taken.reason }, 'callback of a finished sign-in: already signed in')
        return reply.redirect(safeReturnTo(taken.returnTo), 303)
      }
      const failure = whyNotPending(taken, options.appOrigin)
      // A refused sign-in's callback opened again: "try again" keeps where the person was going.
      if (taken.reason === 'refused') failure.returnTo = safeReturnTo(taken.returnTo)
      throw failure
    }
    const { attempt } = taken
    // Checked again as it comes out of the cookie (defence in depth: it was checked going in).
    const returnTo = safeReturnTo(attempt.returnTo)
    // A grant of more scopes by the signed-in user (rather than a sign-in).
    const current = identity.user(request)
    const upgrade = attempt.upgradeFor !== undefined && current !== null
    try {
      const params = readCallbackParams(query)
      if (params.error !== null) {
        if (params.error === 'access_denied') {
          // Declining more access changes nothing: back to the page, which says what is missing.
          if (upgrade) return reply.redirect(withScopesDenied(returnTo), 303)
          throw pluginError('ACCESS_DENIED', 'access_denied')
        }
        const code = PROVIDER_ERROR.test(params.error) ? params.error : 'unknown_error'
        throw pluginError('PROVIDER_ERROR', `provider:${code}`, code)
      }
      if (params.code === null) throw pluginError('INVALID_CALLBACK', 'no-code')

      const code = params.code
      // One deadline over the whole exchange with Google (token call, key download, retries).
      const { tokens, verified } = await withDeadline(options.googleDeadline, async () => {
        const tokens = await exchangeCode(google, code, attempt.codeVerifier)
        const verified = await idTokens.verify(tokens.idToken, { nonce: attempt.nonce, accessToken: tokens.accessToken })
        return { tokens, verified }
      }, options.clock)
      const scopes = tokens.scope?.split(' ').filter(Boolean) ?? []

      if (upgrade) {
        // Only for the account that asked: another one's tokens must not land in this session.
        if (verified.user.id !== attempt.upgradeFor || current.id !== attempt.upgradeFor) throw pluginError('ACCOUNT_MISMATCH', 'grant-other-account')
        await grantMore(request, sessions, tokens)
        emit({ type: 'scopes-granted', scopes, userId: current.id, requestId: request.id })
      } else {
        // Who may sign in, and as whom: the policies, then the app's onSignIn. Nothing is stored before.
        const user = await admit({ user: verified.user, claims: verified.claims, scopes, request, method: 'redirect' })
        // A new session id (fixation defence); the old session is destroyed in the store. Signed in
        // again as the same account, what Google did not send again stays.
        await sessions.signIn(request, reply, user, carryOver(tokens, current?.id === user.id ? identity.tokens(request) : null), ticket, 'redirect')
        request.log.debug({ sub: user.id }, 'google sign-in completed')
        emit({ type: 'sign-in', method: 'redirect', scopes, userId: user.id, requestId: request.id })
      }
      // Granular consent: the person may have left some of the scopes asked for unticked. Once
      // every one is granted, the page no longer says that some were declined.
      const declined = missingScopes(attempt.scopes ?? [], grantedScopes(tokens))
      return reply.redirect(declined.length > 0 ? withScopesDenied(returnTo) : withoutScopesDenied(returnTo), 303)
    } catch (error) {
      if (isPluginError(error)) {
        // "Try again" keeps where the person was going.
        error.returnTo = returnTo
        // A refusal (not Google or the store failing) is what this callback says if it is opened again.
        if (error.statusCode < 500) attempts.refused(reply, attempt, { code: error.code, message: error.message })
      }
      throw error
    }
  })
}

/**
 * Puts the tokens of a grant of more scopes into the session: they carry every scope granted so
 * far; Google's answer may lack a refresh token, then the session's stays.
 */
async function grantMore (request: FastifyRequest, sessions: Sessions, tokens: GoogleTokens): Promise<void> {
  const holder = sessions.tokenOwner(request)
  const saved = holder !== null && await holder.owner.save(carryOver(tokens, sessions.tokens(request)))
  if (!saved) throw pluginError('UNAUTHENTICATED', 'grant-session-ended')
}
