/** Google's production URLs, in one place. Every one can be overridden with the `endpoints` option. */
export const GOOGLE_ENDPOINTS = {
  authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  userinfo: 'https://openidconnect.googleapis.com/v1/userinfo',
  revocation: 'https://oauth2.googleapis.com/revoke',
  /** Google's signing keys as a JSON Web Key Set: what ID tokens are verified against. */
  jwks: 'https://www.googleapis.com/oauth2/v3/certs',
  /** Google Identity Services' client script: the "Sign in with Google" button and One Tap (the `oneTap` option). */
  gsiClient: 'https://accounts.google.com/gsi/client',
  /**
   * Cross-Account Protection's discovery document (the `risc` option): the `issuer` of the
   * security events Google sends and the `jwks_uri` they are signed with.
   */
  riscConfiguration: 'https://accounts.google.com/.well-known/risc-configuration'
} as const

export type GoogleEndpoints = { -readonly [K in keyof typeof GOOGLE_ENDPOINTS]: string }

/**
 * Google's issuer: in its discovery document, in the ID tokens it issues, and the only value the
 * callback's RFC 9207 `iss` parameter may carry.
 */
export const GOOGLE_ISSUER = 'https://accounts.google.com'

/** The `iss` values a Google ID token may carry (google-auth-library's default list also accepts googleapis.com). */
export const ID_TOKEN_ISSUERS: readonly string[] = [GOOGLE_ISSUER, 'accounts.google.com']

/** Scopes every sign-in asks for. */
export const BASE_SCOPES = ['openid', 'email', 'profile']

/** Domains whose addresses Google itself hosts: Google speaks for them as for a Workspace account's own domain. */
export const GMAIL_DOMAINS: readonly string[] = ['gmail.com', 'googlemail.com']
