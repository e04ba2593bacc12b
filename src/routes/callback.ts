import type { FastifyInstance } from 'fastify'
import { fail } from '../errors.js'
import { withDeadline } from '../google/client.js'
import { exchangeCode } from '../google/exchange-code.js'
import { readCallbackParams, readState } from '../sign-in/callback-params.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

const PROVIDER_ERROR = /^[a-z_]{1,40}$/

/** GET /oauth2/google/callback: completes the attempt this browser started, or refuses it. */
export function callbackRoute (app: FastifyInstance, { options, google, idTokens, attempts, sessions }: RouteContext): void {
  app.get(options.routes.callback, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    const query = request.query as Record<string, unknown>
    const state = readState(query, request.raw.url ?? '')
    const taken = attempts.take(request, reply, state)
    if (!taken.ok) {
      throw taken.reason === 'expired' ? fail('STATE_EXPIRED', taken.reason) : fail('STATE_MISMATCH', taken.reason)
    }
    const { attempt } = taken
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

    // A new session id (fixation defence); the old session is destroyed in the store.
    await sessions.signIn(request, reply, verified.user, tokens)
    request.log.debug({ sub: verified.user.id }, 'google sign-in completed')
    // Checked again as it comes out of the cookie (defence in depth: it was checked going in).
    return reply.redirect(safeReturnTo(attempt.returnTo), 303)
  })
}
