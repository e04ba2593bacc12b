import type { OAuth2Client } from 'google-auth-library'
import { pluginError } from '../errors.js'
import type { GoogleTokens } from '../types.js'
import { googleFailure } from './client.js'

/** Exchanges an authorization code (with its PKCE verifier) for the user's tokens. */
export async function exchangeCode (client: OAuth2Client, code: string, codeVerifier: string): Promise<GoogleTokens> {
  let tokens: Record<string, unknown>
  try {
    const response = await client.getToken({ code, codeVerifier })
    tokens = response.tokens as Record<string, unknown>
  } catch (error) {
    throw googleFailure(error, 'token')
  }
  if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens)) {
    throw pluginError('GOOGLE_BAD_RESPONSE', 'token:not-json')
  }
  const { access_token: accessToken, id_token: idToken, refresh_token: refreshToken, expiry_date: expiresAt, scope } = tokens
  if (typeof idToken !== 'string' || idToken === '') throw pluginError('GOOGLE_BAD_RESPONSE', 'token:no-id-token')
  if (typeof accessToken !== 'string' || accessToken === '') throw pluginError('GOOGLE_BAD_RESPONSE', 'token:no-access-token')
  return {
    accessToken,
    idToken,
    refreshToken: typeof refreshToken === 'string' && refreshToken !== '' ? refreshToken : null,
    expiresAt: typeof expiresAt === 'number' ? expiresAt : null,
    scope: typeof scope === 'string' ? scope : null
  }
}

/**
 * New tokens for a session that already held some of the same account: what Google's answer leaves
 * out carries over. A refresh token comes only with the first consent; without it, the one held
 * stays, or the account's access to Google would be lost with the new session.
 */
export function carryOver (fresh: GoogleTokens, previous: GoogleTokens | null): GoogleTokens {
  return previous === null || fresh.refreshToken !== null ? fresh : { ...fresh, refreshToken: previous.refreshToken }
}
