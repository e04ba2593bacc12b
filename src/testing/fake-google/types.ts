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

export type { IdTokenParts, IdTokenSigning, IdTokenTampering, IdTokenTamperer, IssueCodeOptions, IssuedCode, IdTokenForOptions, OneTapCredentialOptions } from './token-types.js'
export type { FakeGoogle } from './fake-google.js'
