/** Google's production URLs, in one place. Every one can be overridden with the `endpoints` option. */
export const GOOGLE_ENDPOINTS = {
  authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
  revocation: 'https://oauth2.googleapis.com/revoke',
  /** Google's signing keys as a JSON Web Key Set: what ID tokens are verified against. */
  jwks: 'https://www.googleapis.com/oauth2/v3/certs',
  /** Google Identity Services' client script: the "Sign in with Google" button and One Tap (the `oneTap` option). */
  gsiClient: 'https://accounts.google.com/gsi/client'
} as const

export type GoogleEndpoints = { -readonly [K in keyof typeof GOOGLE_ENDPOINTS]: string }

/** The issuers Google signs ID tokens with (google-auth-library's default list also accepts googleapis.com). */
export const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com']

/** The only value an RFC 9207 `iss` parameter on the callback may carry. */
export const GOOGLE_ISSUER = 'https://accounts.google.com'

/** Scopes every sign-in asks for. */
export const BASE_SCOPES = ['openid', 'email', 'profile']
