import type { FastifyBaseLogger } from 'fastify'
import type { OAuth2Client } from 'google-auth-library'
import type { GoogleTokens } from '../types.js'
import { googleFailure } from './client.js'

/**
 * Revokes the user's grant at Google (the refresh token when there is one: that revokes the whole
 * grant) without holding anything up; a failure is only logged.
 */
export function revokeTokens (client: OAuth2Client, tokens: GoogleTokens, log: FastifyBaseLogger): void {
  client.revokeToken(tokens.refreshToken ?? tokens.accessToken).then(
    () => log.debug('google token revoked at sign-out'),
    (error: unknown) => log.warn({ reason: googleFailure(error, 'revoke').reason }, 'could not revoke the google token at sign-out')
  )
}
