/** Types of the ID tokens and codes the fake issues on demand. */

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
  /**
   * `'offline'` makes the token exchange issue a refresh token, as Google does: when the account
   * holds none for the client yet, or with `prompt: 'consent'`.
   */
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
  /** The URL Google would redirect the browser to: `redirect_uri?code=…&state=…&scope=…&authuser=0[&hd=…]&prompt=…`. */
  callbackUrl: string
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
