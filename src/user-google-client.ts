import { OAuth2Client, type Credentials, type OAuth2ClientOptions } from 'google-auth-library'
import type { GetTokenResponse } from 'google-auth-library/build/src/auth/oauth2client.js'
import { fail } from './errors.js'
import { googleFailure } from './google-client.js'
import type { GoogleTokens } from './types.js'

type RefreshResult = GetTokenResponse

/** What a user's client needs from the session it belongs to. */
export interface TokenOwner {
  /** Persists refreshed tokens; false when the session ended meanwhile. */
  save (tokens: GoogleTokens): Promise<boolean>
  /** Ends the session (the refresh token was revoked or expired). */
  end (): Promise<void>
}

export const credentialsOf = (tokens: GoogleTokens): Credentials => ({
  access_token: tokens.accessToken,
  refresh_token: tokens.refreshToken,
  id_token: tokens.idToken,
  expiry_date: tokens.expiresAt,
  scope: tokens.scope ?? undefined,
  token_type: 'Bearer'
})

/**
 * An OAuth2Client authorized as the signed-in user. Refreshes go through one place: new tokens are
 * persisted to the session once (the old refresh token is kept when Google sends none), a revoked
 * or expired refresh token ends the session and surfaces as REAUTH_REQUIRED, and Google's failures
 * become the plugin's own errors (google-auth-library's messages can embed tokens).
 */
export class UserGoogleClient extends OAuth2Client {
  #tokens: GoogleTokens
  readonly #owner: TokenOwner

  constructor (clientOptions: OAuth2ClientOptions, tokens: GoogleTokens, owner: TokenOwner) {
    super(clientOptions)
    this.#tokens = tokens
    this.#owner = owner
    this.setCredentials(credentialsOf(tokens))
    // Without a refresh token, an expired access token cannot be renewed: the user must sign in again.
    // (google-auth-library prefers a refresh handler over a refresh token, so set it only then.)
    if (tokens.refreshToken === null) this.refreshHandler = async () => { throw fail('REAUTH_REQUIRED', 'no-refresh-token') }
  }

  /** The tokens this client holds now. */
  get tokens (): GoogleTokens {
    return this.#tokens
  }

  /** Adopts tokens another request or instance stored, when they are fresher. */
  adopt (tokens: GoogleTokens): void {
    if ((tokens.expiresAt ?? 0) > (this.#tokens.expiresAt ?? 0)) {
      this.#tokens = tokens
      this.setCredentials(credentialsOf(tokens))
    }
  }

  protected override async refreshTokenNoCache (refreshToken?: string | null): Promise<RefreshResult> {
    let result: RefreshResult
    try {
      result = await super.refreshTokenNoCache(refreshToken)
    } catch (error) {
      const failure = googleFailure(error, 'refresh')
      if (failure.code === 'FST_GOOGLE_OAUTH_CODE_REJECTED') {
        await this.#owner.end().catch(() => {})
        throw fail('REAUTH_REQUIRED', 'refresh:invalid_grant')
      }
      throw failure
    }
    const fresh = result.tokens
    if (typeof fresh.access_token !== 'string' || fresh.access_token === '') throw fail('GOOGLE_BAD_RESPONSE', 'refresh:no-access-token')
    this.#tokens = {
      accessToken: fresh.access_token,
      refreshToken: fresh.refresh_token ?? this.#tokens.refreshToken,
      idToken: fresh.id_token ?? this.#tokens.idToken,
      expiresAt: fresh.expiry_date ?? null,
      scope: fresh.scope ?? this.#tokens.scope
    }
    await this.#owner.save(this.#tokens)
    return result
  }
}
