/** The accounts and clients the fake knows. Types only, importing nothing. */

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
