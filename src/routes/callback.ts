import type { FastifyInstance } from 'fastify'
import { fail } from '../errors.js'
import { withDeadline } from '../deadline.js'
import { exchangeCode } from '../google-client.js'
import { safeReturnTo } from '../return-to.js'
import { userFromClaims } from '../user.js'
import { readCallbackParams, readState } from './callback-params.js'
import type { RouteContext } from './context.js'
import { ROUTES } from './paths.js'

const PROVIDER_ERROR = /^[a-z_]{1,40}$/

/** GET /oauth2/google/callback: completes the attempt this browser started, or refuses it. */
export function callbackRoute (app: FastifyInstance, { options, google, idTokens, attempts, sessions }: RouteContext): void {
  app.get(ROUTES.callback, async (request, reply) => {
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
    const { tokens, claims } = await withDeadline(options.googleDeadline, async () => {
      const tokens = await exchangeCode(google, code, attempt.codeVerifier)
      const claims = await idTokens.verify({
        idToken: tokens.idToken,
        accessToken: tokens.accessToken,
        clientId: options.clientId,
        nonce: attempt.nonce,
        hostedDomain: options.hostedDomain
      })
      return { tokens, claims }
    })

    // A new session id (fixation defence); the old session is destroyed in the store.
    await sessions.signIn(request, reply, userFromClaims(claims), tokens)
    request.log.debug({ sub: claims.sub }, 'google sign-in completed')
    // Checked again as it comes out of the cookie (defence in depth: it was checked going in).
    return reply.redirect(safeReturnTo(attempt.returnTo), 303)
  })
}
