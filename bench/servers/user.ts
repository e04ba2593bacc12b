import { randomBytes } from 'node:crypto'
import type { GoogleTokens, GoogleUser } from 'fastify-google-oauth'
import { DEFAULT_ACCOUNTS } from 'fastify-google-oauth/testing'

/**
 * The user every configuration answers with: the fake Google's first account, shaped like
 * `request.googleUser`, so that all guarded routes send the same JSON.
 */
export function benchUser (): GoogleUser {
  const account = DEFAULT_ACCOUNTS[0]!
  return {
    id: account.sub,
    email: account.email,
    emailVerified: account.emailVerified ?? true,
    name: account.name,
    givenName: account.givenName ?? null,
    familyName: account.familyName ?? null,
    picture: account.picture ?? null,
    locale: account.locale ?? 'en',
    hostedDomain: account.hd ?? null
  }
}

const b64 = (bytes: number): string => randomBytes(bytes).toString('base64url')

/**
 * Tokens of the size Google sends (an opaque access token, an RS256 ID token), for the other
 * session libraries to hold the same data as our sessions do.
 */
export function benchTokens (): GoogleTokens {
  return {
    accessToken: `ya29.${b64(120)}`,
    refreshToken: null,
    idToken: `${b64(75)}.${b64(560)}.${b64(256)}`,
    expiresAt: Date.now() + 3_600_000,
    scope: 'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'
  }
}

/** The 401 body our guard sends, for the bare baseline to send the same bytes. */
export const UNAUTHENTICATED_BODY = JSON.stringify({
  statusCode: 401,
  code: 'FST_GOOGLE_OAUTH_UNAUTHENTICATED',
  error: 'Unauthorized',
  message: 'Sign-in required.',
  loginUrl: '/login'
})
