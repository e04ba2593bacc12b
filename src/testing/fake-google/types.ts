/**
 * Public types of the fake Google identity provider, in one place to import them from: the options
 * of `startFakeGoogle` here, the others where they live (type files that import nothing, and
 * `fake-google.ts` for the {@link FakeGoogle} interface).
 *
 * @module
 */
import type { FakeGoogleAccount, FakeGoogleClient } from './account-types.js'

/** Options of {@link startFakeGoogle}. */
export interface FakeGoogleOptions {
  /** Registered OAuth clients. Default: `[DEFAULT_CLIENT]`. */
  clients?: FakeGoogleClient[]
  /**
   * Your app's callback URLs, for the default client: `DEFAULT_CLIENT`'s id and secret with these
   * redirect URIs (instead of its `http://localhost:3000/…` and `http://127.0.0.1:3000/…`), e.g.
   * `['http://localhost:8080/oauth2/google/callback']` for an app on port 8080. Then
   * {@link FakeGoogle.pluginOptions} gives the first as `callbackUrl`. Not with `clients`.
   */
  redirectUris?: string[]
  /** Accounts offered by the account chooser. Default: {@link DEFAULT_ACCOUNTS}. */
  accounts?: FakeGoogleAccount[]
  /**
   * Skip the account chooser and consent at once.
   * `true` picks the first account the chooser would offer (`login_hint` and `hd` narrow it);
   * a string picks the account with that email or sub. Default `false`: the chooser page is shown.
   */
  autoConsent?: boolean | string
  /** Port to listen on, e.g. `4000` for a development server. Default `0` (a free port). */
  port?: number
  /** Host to listen on. Default `'127.0.0.1'`. */
  host?: string
  /** `max-age` in seconds of the certs' `Cache-Control`. Default `21600`. */
  certsMaxAge?: number
  /** Access token lifetime in seconds (`expires_in`). Default `3599`. */
  accessTokenLifetime?: number
  /** Clock in milliseconds, for `iat`/`exp` and every expiry. Default `Date.now`. */
  now?: () => number
}

export type { FakeGoogleAccount, FakeGoogleClient } from './account-types.js'
export type { FakeGoogleEndpoint, FakeGoogleRequest, Misbehaviour } from './behaviour-types.js'
export type { FakeGoogle } from './fake-google.js'
export type { FakeRiscStream, FakeSecurityEvent, FakeSecurityEventType, FakeServiceAccountKey, SecurityEventAnswer, SecurityEventDelivery, SecurityEventOptions } from './risc-types.js'
export type { IdTokenParts, IdTokenSigning, IdTokenTampering, IdTokenTamperer, IssueCodeOptions, IssuedCode, IdTokenForOptions, OneTapCredentialOptions } from './token-types.js'
export type { FakeGoogleApis, FakeGoogleEndpoints, FakeGooglePluginOptions, FakeGooglePluginOptionsFor, FakeGoogleUrls, OAuth2ClientEndpoints } from './url-types.js'
