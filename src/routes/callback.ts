import type { FastifyInstance } from 'fastify'
import { fail, isPluginError, type PluginError } from '../errors.js'
import { withDeadline } from '../google/client.js'
import { exchangeCode } from '../google/exchange-code.js'
import type { ResolvedOptions } from '../options.js'
import type { TakeResult } from '../sign-in/attempt.js'
import { readCallbackParams, readState } from '../sign-in/callback-params.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

const PROVIDER_ERROR = /^[a-z_]{1,40}$/

/** Why no pending attempt matched, in words a person can act on. */
function mismatch (taken: Extract<TakeResult, { ok: false }>, options: ResolvedOptions): PluginError {
  if (taken.reason === 'expired') return fail('STATE_EXPIRED', taken.reason)
  const why = taken.reason === 'no-browser-cookies'
    ? `this browser brought back none of the cookies the sign-in set, as happens when it starts on another address than ${options.appOrigin} (localhost and 127.0.0.1 are different sites). Open the app at ${options.appOrigin} and sign in again.`
    : taken.reason === 'no-attempt-cookie'
      ? 'it is no longer pending: it was already completed, or more than five sign-ins were started at once in this browser and it was dropped. Start the sign-in again.'
      : 'it was started in another browser, or it was already completed. Start the sign-in again.'
  return fail('STATE_MISMATCH', taken.reason, why)
}

/** GET /oauth2/google/callback: completes the attempt this browser started, or refuses it. */
export function callbackRoute (app: FastifyInstance, { options, google, idTokens, attempts, sessions, admit, emit }: RouteContext): void {
  app.get(options.routes.callback, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    const query = request.query as Record<string, unknown>
    const state = readState(query, request.raw.url ?? '')
    const taken = attempts.take(request, reply, state)
    if (!taken.ok) {
      // Back from Google's chooser, or the callback opened again, in a browser already signed in:
      // nothing to complete, so on to where it was going.
      if (request.googleUser !== null && (taken.reason === 'no-attempt-cookie' || taken.reason === 'replayed')) {
        request.log.debug({ reason: taken.reason }, 'callback of a finished sign-in: already signed in')
        return reply.redirect(safeReturnTo(taken.returnTo), 303)
      }
      throw mismatch(taken, options)
    }
    const { attempt } = taken
    try {
      const params = readCallbackParams(query)
      if (params.error !== null) {
        if (params.error === 'access_denied') throw fail('ACCESS_DENIED', 'access_denied')
        const code = PROVIDER_ERROR.test(params.error) ? params.error : 'unknown_error'
        throw fail('PROVIDER_ERROR', `provider:${code}`, code)
      }
      if (params.code === null) throw fail('INVALID_CALLBACK', 'no-code')

      const code = params.code
      // One deadline over the whole exchange with Google (token call, key download, retries).
      const { tokens, verified } = await withDeadline(options.googleDeadline, async () => {
        const tokens = await exchangeCode(google, code, attempt.codeVerifier)
        const verified = await idTokens.verify(tokens.idToken, { nonce: attempt.nonce, accessToken: tokens.accessToken })
        return { tokens, verified }
      })

      // Who may sign in, and as whom: the policies, then the app's onSignIn. Nothing is stored before.
      const scopes = tokens.scope?.split(' ').filter(Boolean) ?? []
      const user = await admit({ user: verified.user, claims: verified.claims, scopes, request })
      // A new session id (fixation defence); the old session is destroyed in the store.
      await sessions.signIn(request, reply, user, tokens)
      request.log.debug({ sub: user.id }, 'google sign-in completed')
      emit({ type: 'sign-in', scopes, userId: user.id, requestId: request.id })
    } catch (error) {
      // "Try again" keeps where the person was going.
      if (isPluginError(error)) error.returnTo = safeReturnTo(attempt.returnTo)
      throw error
    }
    // Checked again as it comes out of the cookie (defence in depth: it was checked going in).
    return reply.redirect(safeReturnTo(attempt.returnTo), 303)
  })
}
