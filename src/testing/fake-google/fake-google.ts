import type { FakeGoogleAccount, FakeGoogleClient } from './account-types.js'
import type { FakeGoogleEndpoint, FakeGoogleRequest, Misbehaviour } from './behaviour-types.js'
import type { FakeRiscStream, FakeSecurityEvent, FakeServiceAccountKey, SecurityEventAnswer, SecurityEventDelivery, SecurityEventOptions } from './risc-types.js'
import type { IdTokenTamperer, IssueCodeOptions, IssuedCode, IdTokenForOptions, OneTapCredentialOptions } from './token-types.js'
import type { FakeGoogleApis, FakeGoogleEndpoints, FakeGooglePluginOptions, FakeGooglePluginOptionsFor, FakeGoogleUrls, OAuth2ClientEndpoints } from './url-types.js'

/** A running fake Google. Create one with {@link startFakeGoogle}; always `close()` it. */
export interface FakeGoogle {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string
  /** The URLs of the endpoints the plugin calls: its `endpoints` option takes this object as it is. */
  readonly endpoints: FakeGoogleEndpoints
  /** The fake's other URLs (the PEM certs, the discovery document): the plugin's `endpoints` option refuses them. */
  readonly urls: FakeGoogleUrls
  /** URLs of the Google APIs the fake serves (not sign-in endpoints: keep them out of the plugin's `endpoints`). */
  readonly apis: FakeGoogleApis
  /**
   * The root of the Google APIs the fake serves ({@link FakeGoogle.url} and `/`), for the `rootUrl`
   * option of the `@googleapis/*` clients and `googleapis`, which then call the fake instead of
   * `https://www.googleapis.com/`: `calendar({ version: 'v3', auth: request.googleAuth!, rootUrl: google.rootUrl })`.
   * The fake serves Calendar's `calendarList.list` (see {@link FakeGoogleApis.calendarList}); other
   * API calls get 404.
   */
  readonly rootUrl: string
  /** Ready to spread into `new OAuth2Client({ endpoints })`. Also pass `issuers: ['https://accounts.google.com']`. */
  readonly oauth2ClientEndpoints: OAuth2ClientEndpoints
  /** Accounts offered by the chooser. */
  readonly accounts: readonly FakeGoogleAccount[]
  /** Registered clients. */
  readonly clients: readonly FakeGoogleClient[]
  /** Key ID and SPKI PEM of the key signing ID tokens now. */
  readonly signingKey: { readonly kid: string; readonly publicKeyPem: string }
  /** Requests received so far, oldest first. Never holds codes, tokens, verifiers or secrets. */
  readonly requests: ReadonlyArray<FakeGoogleRequest>
  /**
   * The options of `fastify-google-oauth` that point an app at this fake: a registered client's
   * `clientId` and `clientSecret`, a `callbackUrl` among its redirect URIs (default: the first),
   * and `endpoints`. Add a `secret`: `{ ...google.pluginOptions(), secret }` (a `callbackUrl`
   * given after the spread replaces the one chosen here, unchecked). Throws if the client or the
   * URL is not registered.
   */
  pluginOptions(options?: FakeGooglePluginOptionsFor): FakeGooglePluginOptions
  /** Registers another client. Throws if its ID is taken. */
  addClient(client: FakeGoogleClient): void
  /**
   * Changes how the authorization endpoint answers: `false` shows the chooser (and the consent
   * screen when an account that consented before is asked for more scopes), `true` or an
   * account's email or sub consents at once (new scopes included), `'deny'` redirects back with
   * `error=access_denied`. `'deny'` also empties the One Tap and button dialog of pages loading
   * the script from then on, and makes `POST /gsi/credential` answer `access_denied`
   * (see {@link FakeGoogleEndpoints.gsiClient}).
   */
  setAutoConsent(value: boolean | string | 'deny'): void
  /**
   * Makes an endpoint misbehave for its next `times` requests (default: until {@link FakeGoogle.reset}).
   * A later call for the same endpoint replaces the earlier one. The account chooser's form
   * submission and the discovery document never misbehave.
   */
  misbehave(endpoint: FakeGoogleEndpoint, behaviour: Misbehaviour, options?: { times?: number }): void
  /**
   * Clears misbehaviour, ID token tampering and {@link FakeGoogle.declineScopes}, and restores the
   * options' `autoConsent`. Tokens and granted scopes stay.
   */
  reset(): void
  /**
   * A new signing key with a new `kid` becomes current. The certs then publish it and the
   * previous key, so tokens signed before stay verifiable until the next rotation.
   */
  rotateKeys(): void
  /**
   * Changes the ID tokens issued from now on (for security tests), until called with `null` or
   * {@link FakeGoogle.reset}. The function receives the header and claims and returns them changed,
   * and may choose how to sign; see {@link IdTokenSigning}.
   */
  tamperIdToken(fn: IdTokenTamperer | null): void
  /**
   * Mints a valid authorization code for an account without a browser, as if the account had
   * just consented. Useful for login CSRF tests (a victim's browser receiving an attacker's code)
   * and for driving callbacks directly. `account` is an email, a sub or an account object of
   * {@link FakeGoogle.accounts}.
   */
  issueCodeFor(account: string | FakeGoogleAccount, options?: IssueCodeOptions): IssuedCode
  /**
   * A signed ID token for an account without a browser, as Google gives one to an Android or iOS
   * app (to send to its server as a Bearer token) or to a page through Google Identity Services:
   * `iss`, `azp`, `aud`, `sub`, `hd` (Workspace accounts), `email`, `email_verified`, `nonce` (when
   * given), `nbf` (`iat - 300`), `name`, `picture`, `given_name`, `family_name`, `iat`, `exp`, `jti`;
   * RS256 with the current key and its `kid`. Tampering ({@link FakeGoogle.tamperIdToken}) applies.
   * `account` is an email, a sub or an account object of {@link FakeGoogle.accounts}. Throws for an
   * unknown account or bad options.
   */
  idTokenFor(account: string | FakeGoogleAccount, options?: IdTokenForOptions): string
  /**
   * The credential `POST /gsi/credential` would give a page of a registered client for an account
   * (`aud` and `azp` are the client ID), for tests that post to an app's One Tap route without a
   * browser. The same claims as {@link FakeGoogle.idTokenFor}; tampering applies. Throws for an
   * unknown account or client.
   */
  oneTapCredentialFor(account: string | FakeGoogleAccount, options?: OneTapCredentialOptions): string
  /**
   * From now on (until called with `null` or {@link FakeGoogle.reset}), every consent leaves these
   * scopes out, as a user unticking them on Google's granular consent screen: the redirect's and
   * the token response's `scope` lack them, and so do the access tokens. `email` and `profile`
   * may be named by their short or URL form. Only scopes not granted before are left out (those
   * granted earlier are not on the screen). `openid` cannot be declined: naming it throws.
   */
  declineScopes(scopes: readonly string[] | null): void
  /**
   * Revokes every token issued so far, refresh tokens included, and forgets every consent and the
   * scopes it granted (the next sign-in is a first consent again).
   */
  revokeAll(): void
  /**
   * The Cross-Account Protection stream an app registered through the RISC API
   * (`POST /v1beta/stream:update`), or null.
   */
  readonly riscStream: FakeRiscStream | null
  /** A service account key file whose JWTs the fake's RISC API accepts (see {@link FakeServiceAccountKey}). */
  createServiceAccount(): FakeServiceAccountKey
  /**
   * A security event token as Google signs one (RS256, the current key), not sent: for tests that
   * deliver it themselves. See {@link FakeSecurityEvent}; `options` make forgeries.
   */
  securityEventToken(event: FakeSecurityEvent, options?: SecurityEventOptions): string
  /**
   * Pushes a security event to the registered stream's receiver (or `options.to`) over HTTP, as
   * Google does (`POST`, `Content-Type: application/secevent+jwt`), and gives the receiver's answer.
   * `tokens-revoked` and `token-revoked` also revoke the account's tokens at the fake. Throws when
   * no receiver is registered and none is given.
   */
  sendSecurityEvent(event: FakeSecurityEvent, options?: SecurityEventDelivery): Promise<SecurityEventAnswer>
  /** Stops the server, ending hanging and delayed requests. */
  close(): Promise<void>
}
