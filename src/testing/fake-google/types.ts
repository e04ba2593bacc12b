/**
 * Public types of the fake Google identity provider.
 *
 * @module
 */

/** A Google account the fake can sign in. */
export interface FakeGoogleAccount {
  /** Stable subject identifier. Google's are numeric strings of up to 255 characters, e.g. `'100000000000000000001'`. */
  sub: string
  /** Primary email address. */
  email: string
  /** Whether Google verified the email address. Default `true`. */
  emailVerified?: boolean
  /** Display name, e.g. `'Ada Lovelace'`. */
  name: string
  /** Given name. Defaults to the first word of `name`. */
  givenName?: string
  /** Family name. Defaults to the rest of `name` (omitted when `name` is a single word). */
  familyName?: string
  /** Avatar URL. Defaults to an inline `data:` SVG with the account's initials, so pages work offline. */
  picture?: string
  /** BCP 47 locale, e.g. `'en'`. Default `'en'`. */
  locale?: string
  /** Google Workspace domain. Only Workspace accounts have one; it becomes the `hd` claim. */
  hd?: string
}

/** An OAuth client registered with the fake, like one created in the Google Cloud console. */
export interface FakeGoogleClient {
  /** Client ID, e.g. `'fake-client-id.apps.googleusercontent.com'`. */
  clientId: string
  /** Client secret. */
  clientSecret: string
  /** Authorized redirect URIs. The authorization request's `redirect_uri` must equal one of them exactly. */
  redirectUris: string[]
  /**
   * Authorized JavaScript origins, e.g. `['http://127.0.0.1:3000']` (scheme, host and port; no
   * path, no trailing slash): the pages allowed to use the Sign in with Google button and One Tap
   * for this client (see {@link FakeGoogleEndpoints.gsiClient}). Default: the origins of `redirectUris`.
   */
  javascriptOrigins?: string[]
}

/** The fake's endpoints that can be told to misbehave. */
export type FakeGoogleEndpoint = 'authorization' | 'token' | 'userinfo' | 'revocation' | 'certs'

/**
 * How an endpoint misbehaves, for testing how an application copes with Google failing.
 *
 * - `'invalid_grant'`: 400 `{"error":"invalid_grant","error_description":"Bad Request"}`.
 * - `'invalid_client'`: 401 `{"error":"invalid_client","error_description":"Unauthorized"}`.
 * - `'server_error'`: 500 with an HTML body, like Google's "Error 500 (Server Error)!!1".
 * - `'unavailable'`: 503 `{"error":"temporarily_unavailable", ...}`.
 * - `'rate_limited'`: 429 `{"error":"rate_limit_exceeded", ...}` with `Retry-After: 1`.
 * - `'hang'`: never answers; the request stays open until the client gives up or `close()` is called.
 * - `'reset'`: destroys the connection without answering (the client sees ECONNRESET or "socket hang up").
 * - `'malformed'`: 200 `application/json` with a truncated JSON body.
 * - `'html'`: 200 `text/html` (as a captive portal or a misrouted proxy would answer).
 * - `'empty'`: 200 `{}`.
 * - `'no_id_token'`: token endpoint only: a normal 200 token response without `id_token`.
 * - `'huge'`: 200 `application/json` with a body of about 5 MB (with a Content-Length).
 * - `'chunked-huge'`: the normal answer, padded to 20 MB (`{"padding":"xxx…", …}`) and streamed in
 *   chunks without a Content-Length, as a client that only checks Content-Length would accept it.
 * - `'redirect'`: 307 to another path of the fake (`/redirect-target`, keeping the query), which
 *   answers like the endpoint would have. A client that follows it sends its request (client
 *   secret, code, verifier) there: `requests` shows whether anything reached that path.
 * - `{ delayMs }`: answers normally after `delayMs` milliseconds.
 *
 * The error bodies are the same whichever endpoint misbehaves.
 */
export type Misbehaviour =
  | 'invalid_grant'
  | 'invalid_client'
  | 'server_error'
  | 'unavailable'
  | 'rate_limited'
  | 'hang'
  | 'reset'
  | 'malformed'
  | 'html'
  | 'empty'
  | 'no_id_token'
  | 'huge'
  | 'chunked-huge'
  | 'redirect'
  | { delayMs: number }

/** Options of {@link startFakeGoogle}. */
export interface FakeGoogleOptions {
  /** Registered OAuth clients. Default: `[DEFAULT_CLIENT]`. */
  clients?: FakeGoogleClient[]
  /** Accounts offered by the account chooser. Default: {@link DEFAULT_ACCOUNTS}. */
  accounts?: FakeGoogleAccount[]
  /**
   * Skip the account chooser and consent at once.
   * `true` picks the first account the chooser would offer (`login_hint` and `hd` narrow it);
   * a string picks the account with that email or sub. Default `false`: the chooser page is shown.
   */
  autoConsent?: boolean | string
  /** Port to listen on. Default `0` (a free port). */
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

/** One request received by the fake. Holds no secret: no query string, no body, no header. */
export interface FakeGoogleRequest {
  /**
   * Which endpoint it reached: `'gsi'` for the Google Identity Services stand-in (`/gsi/client`,
   * `/gsi/style`, `/gsi/credential`), `'calendar'` for {@link FakeGoogle.apis}.
   */
  endpoint: FakeGoogleEndpoint | 'discovery' | 'gsi' | 'calendar' | 'other'
  /** HTTP method. */
  method: string
  /** URL path, without the query string. */
  path: string
  /** When it arrived, by the fake's clock (`options.now`). */
  at: number
}

/** What {@link FakeGoogle.tamperIdToken} receives: the ID token about to be signed. */
export interface IdTokenParts {
  header: Record<string, unknown>
  claims: Record<string, unknown>
}

/**
 * How a tampered ID token is signed.
 *
 * - `'current-key'`: RS256 with the fake's current key (the header's `alg` and `kid` are kept as given).
 * - `'rogue-key'`: RS256 with a key the fake never publishes, keeping the header's `kid`: a forgery.
 * - `'none'`: no signature; the header's `alg` becomes `'none'` unless the tamperer changed it from `'RS256'`.
 * - `{ hs256Secret }`: HMAC-SHA256 with that secret; the header's `alg` becomes `'HS256'` unless the tamperer changed it from `'RS256'`.
 *   Pass a published public key PEM to try the classic algorithm-confusion attack.
 */
export type IdTokenSigning = 'current-key' | 'rogue-key' | 'none' | { hs256Secret: string }

/** The changes a tamper function returns. Omitted parts keep their (possibly mutated) value. */
export interface IdTokenTampering {
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
  signWith?: IdTokenSigning
}

/** Receives each ID token before signing and returns the changes, or mutates it and returns nothing. */
export type IdTokenTamperer = (token: IdTokenParts) => IdTokenTampering | void

/** Options of {@link FakeGoogle.issueCodeFor}. Defaults are those of a typical sign-in. */
export interface IssueCodeOptions {
  /** Default: the first registered client. */
  clientId?: string
  /** Default: the client's first redirect URI. */
  redirectUri?: string
  /** Requested scopes, space separated. Default `'openid email profile'`. */
  scope?: string
  /** Copied to the callback URL. */
  state?: string
  /** Copied to the ID token. */
  nonce?: string
  /** PKCE challenge the code is bound to. */
  codeChallenge?: string
  /** Default `'S256'` when `codeChallenge` is given. */
  codeChallengeMethod?: 'S256' | 'plain'
  /** `'offline'` makes the token exchange issue a refresh token. */
  accessType?: 'online' | 'offline'
  /** As the authorization request's `prompt`, e.g. `'consent'`. */
  prompt?: string
  /** As `include_granted_scopes=true`: the grant holds every scope the account granted the client before too. */
  includeGrantedScopes?: boolean
  /**
   * Claims that replace or add to this code's ID token, e.g. `{ email_verified: false }` or
   * `{ hd: 'example.com' }`. The token is still signed with the fake's current key.
   */
  claims?: Record<string, unknown>
}

/** A code minted by {@link FakeGoogle.issueCodeFor}. */
export interface IssuedCode {
  /** The authorization code, valid for 10 minutes and once. */
  code: string
  /** The URL Google would redirect the browser to: `redirect_uri?code=…&state=…&scope=…&authuser=0&prompt=…`. */
  callbackUrl: string
}

/** What {@link FakeGoogle.pluginOptions} gives: the plugin options that point an app at the fake. */
export interface FakeGooglePluginOptions {
  clientId: string
  clientSecret: string
  callbackUrl: string
  endpoints: FakeGoogleEndpoints
}

/** The URLs of the fake's endpoints. */
export interface FakeGoogleEndpoints {
  /** `GET /o/oauth2/v2/auth` */
  authorization: string
  /** `POST /token` */
  token: string
  /** `GET /v1/userinfo` (OpenID Connect userinfo) */
  userinfo: string
  /** `POST /revoke` */
  revocation: string
  /** `GET /oauth2/v1/certs` (PEM map, what google-auth-library uses on Node) */
  certs: string
  /** `GET /oauth2/v3/certs` (JWKS) */
  jwks: string
  /** `GET /.well-known/openid-configuration` */
  discovery: string
  /**
   * `GET /gsi/client`: a stand-in for Google Identity Services' script
   * (`https://accounts.google.com/gsi/client`), the "Sign in with Google" button and One Tap,
   * working without a network. Load it with `<script src="…" async></script>`.
   *
   * It reads Google's HTML API: the element with id `g_id_onload` (`data-client_id`,
   * `data-login_uri`, `data-nonce`, `data-callback`, `data-auto_prompt`: One Tap shows unless it
   * is `"false"`), and renders a button named "Sign in with Google" in each element of class
   * `g_id_signin` (`data-type="icon"`, `data-theme`, `data-size`, `data-shape`, `data-width` and
   * `data-text`: `signin_with`, `signup_with`, `continue_with` or `signin`). It also defines
   * `google.accounts.id` with `initialize({ client_id, login_uri, nonce, callback, auto_prompt })`
   * (`auto_prompt: true` shows One Tap at once; otherwise, as at Google, call `prompt()`),
   * `renderButton(element, options)`, `prompt()`, `cancel()` and `disableAutoSelect()` (nothing
   * to disable: the fake never selects an account by itself), and calls `window.onGoogleLibraryLoad`.
   *
   * One Tap is a dialog named "Sign in with Google" in the page's top right corner listing the
   * fake's accounts as buttons "Continue as <name>" (shown by their initials, so the page needs no
   * `img-src`), and a "Close" button; the button opens the same dialog. Choosing an account posts
   * `{ client_id, sub, nonce, select_by }` (`select_by` is `'user'` from One Tap, `'btn'` from the
   * button) to `POST /gsi/credential`, which answers `{ credential }`: an ID token as
   * {@link FakeGoogle.oneTapCredentialFor} makes it (tampering applies). The endpoint answers 400
   * `{ error: 'invalid_client' }` for an unregistered client, `{ error: 'origin_mismatch' }` when
   * the request's `Origin` is not one of the client's `javascriptOrigins`, and
   * `{ error: 'access_denied' }` while `setAutoConsent('deny')` is in force. Its CORS preflight
   * allows the page's exact origin when it is an authorized JavaScript origin of a registered
   * client (`POST`, header `content-type`, no credentials).
   *
   * With a `callback`, the script calls it with `{ credential, select_by }`. Otherwise it does what
   * Google's script does with `login_uri` (default: the current page): sets the cookie
   * `g_csrf_token` (random hex; `path=/`, `SameSite=Lax`, `Secure` on https pages) and submits a
   * form POST to `login_uri` with `credential`, `g_csrf_token` (the cookie's value) and `select_by`.
   *
   * The script embeds the accounts and the auto-consent mode as they are when it is requested.
   * While `setAutoConsent('deny')` is in force, the dialog lists no account and says that access
   * was denied; other auto-consent values change nothing (the dialog waits for a click).
   *
   * A page with a Content-Security-Policy needs `script-src <gsiClient>`,
   * `style-src <url>/gsi/style` (the script adds that stylesheet itself; it sets no inline style
   * and uses no `eval`), `connect-src <url>/gsi/` and a `form-action` allowing `login_uri`.
   */
  gsiClient: string
}

/** Google APIs the fake serves, called as the user with an access token of the fake. */
export interface FakeGoogleApis {
  /**
   * `GET /calendar/v3/users/me/calendarList` (as at `https://www.googleapis.com/calendar/v3/users/me/calendarList`),
   * with the access token in `Authorization: Bearer …` only. A live token granting
   * `https://www.googleapis.com/auth/calendar.readonly` or `…/auth/calendar` gets 200 with two
   * calendars: the account's primary one (its email, `accessRole: 'owner'`) and "Holidays"
   * (`accessRole: 'reader'`). A live token without either scope gets 403 `PERMISSION_DENIED`
   * (`ACCESS_TOKEN_SCOPE_INSUFFICIENT`, `WWW-Authenticate: … error="insufficient_scope"`); no
   * token, or an unknown, expired or revoked one, gets 401 `UNAUTHENTICATED`
   * (`WWW-Authenticate: … error="invalid_token"`), with Google's JSON error bodies.
   * The root URL for `@googleapis/calendar`'s `rootUrl` option is {@link FakeGoogle.url} plus `/`.
   */
  calendarList: string
}

/** The `endpoints` option of google-auth-library's `OAuth2Client`, pointed at the fake. */
export interface OAuth2ClientEndpoints {
  oauth2AuthBaseUrl: string
  oauth2TokenUrl: string
  oauth2RevokeUrl: string
  oauth2FederatedSignonPemCertsUrl: string
  oauth2FederatedSignonJwkCertsUrl: string
}

/** Options of {@link FakeGoogle.idTokenFor}. */
export interface IdTokenForOptions {
  /** The `aud` claim: the client the token is for. Default: the first registered client's ID. */
  audience?: string
  /**
   * The `azp` claim: the client that asked for the token, e.g. an Android or iOS client's ID
   * when `audience` is the server's web client. Default: `audience`. `null` leaves `azp` out.
   */
  authorizedParty?: string | null
  /** The `nonce` claim; none by default. */
  nonce?: string
  /** Claims that replace or add to the token's, e.g. `{ email_verified: false }`; a claim set to `undefined` is removed. */
  claims?: Record<string, unknown>
  /** `exp - iat`, in seconds. Default `3600`. */
  lifetimeSeconds?: number
}

/** Options of {@link FakeGoogle.oneTapCredentialFor}. */
export interface OneTapCredentialOptions {
  /** A registered client's ID: the token's `aud` and `azp`. Default: the first registered client. */
  clientId?: string
  /** The `nonce` claim (the page's `data-nonce`); none by default. */
  nonce?: string
  /** Claims that replace or add to the token's; a claim set to `undefined` is removed. */
  claims?: Record<string, unknown>
}

/** A running fake Google. Create one with {@link startFakeGoogle}; always `close()` it. */
export interface FakeGoogle {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string
  /** Endpoint URLs. */
  readonly endpoints: FakeGoogleEndpoints
  /** URLs of the Google APIs the fake serves (not sign-in endpoints: keep them out of the plugin's `endpoints`). */
  readonly apis: FakeGoogleApis
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
   * and `endpoints`. Spread them and add a `secret`. Throws if the client or the URL is not registered.
   */
  pluginOptions(options?: { clientId?: string, callbackUrl?: string }): FakeGooglePluginOptions
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
  /** Stops the server, ending hanging and delayed requests. */
  close(): Promise<void>
}
