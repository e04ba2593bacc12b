import type { FastifyInstance } from 'fastify'
import { CodeChallengeMethod } from 'google-auth-library'
import { codeChallengeOf } from '../login-attempt.js'
import { safeReturnTo } from '../return-to.js'
import type { RouteContext } from './context.js'
import { ROUTES } from './paths.js'

/** GET /oauth2/google: starts a sign-in attempt (state, nonce, PKCE S256) and sends the browser to Google. */
export function startRoute (app: FastifyInstance, { options, google, attempts }: RouteContext): void {
  app.get<{ Querystring: { returnTo?: unknown } }>(ROUTES.start, async (request, reply) => {
    const attempt = attempts.begin(request, reply, safeReturnTo(request.query.returnTo))
    const url = google.generateAuthUrl({
      response_type: 'code',
      scope: options.scopes,
      state: attempt.state,
      nonce: attempt.nonce,
      code_challenge: codeChallengeOf(attempt.codeVerifier),
      code_challenge_method: CodeChallengeMethod.S256,
      access_type: options.accessType,
      ...(options.prompt !== undefined && { prompt: options.prompt }),
      ...(options.loginHint !== undefined && { login_hint: options.loginHint }),
      ...(options.hostedDomain !== null && { hd: options.hostedDomain }),
      ...(options.includeGrantedScopes !== undefined && { include_granted_scopes: options.includeGrantedScopes })
    })
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(url, 302)
  })
}
