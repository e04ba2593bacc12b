/** The URLs the fake serves at. Types only, importing nothing. */

/**
 * What {@link FakeGoogle.pluginOptions} gives: every option `fastify-google-oauth` needs to run
 * against the fake but the session `secret`.
 */
export interface FakeGooglePluginOptions {
  clientId: string
  clientSecret: string
  callbackUrl: string
  endpoints: FakeGoogleEndpoints
}

/** Which registered client, and which of its redirect URIs, {@link FakeGoogle.pluginOptions} gives. */
export interface FakeGooglePluginOptionsFor {
  /** A registered client's id. Default: the first client. */
  clientId?: string
  /** One of the client's `redirectUris`. Default: its first. */
  callbackUrl?: string
}

/**
 * The URLs of the fake's endpoints that `fastify-google-oauth` takes: its `endpoints` option
 * accepts this object as it is. The fake's other URLs are in {@link FakeGoogleUrls}.
 */
export interface FakeGoogleEndpoints {
  /** `GET /o/oauth2/v2/auth` */
  authorization: string
  /** `POST /token` */
  token: string
  /** `GET /v1/userinfo` (OpenID Connect userinfo) */
  userinfo: string
  /** `POST /revoke` */
  revocation: string
  /** `GET /oauth2/v3/certs` (JWKS) */
  jwks: string
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
  /**
   * `GET /.well-known/risc-configuration`: Cross-Account Protection's discovery document (`issuer`
   * `https://accounts.google.com/`, `jwks_uri` the fake's key set). See {@link FakeGoogle.sendSecurityEvent}.
   */
  riscConfiguration: string
}

/** The fake's URLs that the plugin never calls (other clients, such as google-auth-library, may). */
export interface FakeGoogleUrls {
  /** `GET /oauth2/v1/certs`: the signing keys as a PEM map, what google-auth-library uses on Node. */
  certs: string
  /** `GET /.well-known/openid-configuration`: the discovery document. */
  discovery: string
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
   * `@googleapis/calendar` calls it with `rootUrl: google.rootUrl` (see {@link FakeGoogle.rootUrl}).
   */
  calendarList: string
  /**
   * The RISC API's stream (`GET …/v1beta/stream`), as at `https://risc.googleapis.com/v1beta/stream`;
   * beside it `…/stream:update`, `…/stream:verify` and `…/stream/status:update`. Each takes a JWT
   * signed by a service account of {@link FakeGoogle.createServiceAccount} (`Authorization: Bearer …`).
   */
  risc: string
}

/** The `endpoints` option of google-auth-library's `OAuth2Client`, pointed at the fake. */
export interface OAuth2ClientEndpoints {
  oauth2AuthBaseUrl: string
  oauth2TokenUrl: string
  oauth2RevokeUrl: string
  oauth2FederatedSignonPemCertsUrl: string
  oauth2FederatedSignonJwkCertsUrl: string
}
