import type { FastifyInstance, FastifyRequest } from 'fastify'
import { fail } from '../errors.js'
import { exchangeCode } from '../google-client.js'
import { verifyIdToken } from '../id-token.js'
import type { GoogleTokens } from '../types.js'
import { userFromClaims } from '../user.js'
import { readCallbackParams, readState } from './callback-params.js'
import type { RouteContext } from './context.js'
import { ROUTES } from './paths.js'

const PROVIDER_ERROR = /^[a-z_]{1,40}$/

async function startFreshSession (request: FastifyRequest): Promise<void> {
  try {
    // A new session id (fixation defence): the old id is destroyed in the store, pre-login data dropped.
    await request.session.regenerate()
  } catch (error) {
    throw fail('SESSION_STORE_UNAVAILABLE', (error as { reason?: string }).reason ?? 'store-regenerate-failed')
  }
}

/** GET /oauth2/google/callback: completes the attempt this browser started, or refuses it. */
export function callbackRoute (app: FastifyInstance, { options, google, attempts }: RouteContext): void {
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

    const tokens = await exchangeCode(google, params.code, attempt.codeVerifier)
    const claims = await verifyIdToken(google, {
      idToken: tokens.idToken,
      accessToken: tokens.accessToken,
      clientId: options.clientId,
      nonce: attempt.nonce,
      hostedDomain: options.hostedDomain
    })

    await startFreshSession(request)
    const now = Date.now()
    const googleTokens: GoogleTokens = { ...tokens }
    request.session.googleUser = userFromClaims(claims)
    request.session.googleTokens = googleTokens
    request.session.googleSignedInAt = now
    request.session.googleSeenAt = now
    try {
      await request.session.save()
    } catch (error) {
      throw fail('SESSION_STORE_UNAVAILABLE', (error as { reason?: string }).reason ?? 'store-save-failed')
    }
    request.log.debug({ sub: claims.sub }, 'google sign-in completed')
    return reply.redirect(attempt.returnTo, 303)
  })
}
