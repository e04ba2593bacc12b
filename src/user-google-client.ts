import { OAuth2Client, type Credentials, type OAuth2ClientOptions } from 'google-auth-library'
import { fail } from './errors.js'
import { googleFailure } from './google-client.js'
import type { TokenOwner } from './session/sessions.js'
import type { GoogleTokens } from './types.js'

/** What the clients of one session's concurrent requests share in this process. */
export interface SharedRefresh {
  /** The refresh in flight for the session, if any: concurrent requests wait for it instead of calling Google. */
  refreshing: Promise<GoogleTokens> | null
  /** The last refresh: the access token it replaced, and the tokens that replaced it. */
  replaced: { accessToken: string, by: GoogleTokens } | null
}

const credentialsOf = (tokens: GoogleTokens): Credentials => ({
  access_token: tokens.accessToken,
  refresh_token: tokens.refreshToken,
  id_token: tokens.idToken,
  expiry_date: tokens.expiresAt,
  scope: tokens.scope ?? undefined,
  token_type: 'Bearer'
})

/**
 * An OAuth2Client authorized as the signed-in user. Refreshes go through one place: one refresh
 * per session at a time in this process (concurrent requests wait for it), the new tokens
 * persisted to the session once (the old refresh token is kept when Google sends none), a revoked
 * or expired refresh token ends the session and surfaces as REAUTH_REQUIRED, and Google's failures
 * become the plugin's own errors (google-auth-library's messages can embed tokens).
 */
export class UserGoogleClient extends OAuth2Client {
  #tokens: GoogleTokens
  readonly #owner: TokenOwner
  readonly #shared: SharedRefresh

  constructor (clientOptions: OAuth2ClientOptions, tokens: GoogleTokens, owner: TokenOwner, shared: SharedRefresh) {
    super(clientOptions)
    this.#tokens = tokens
    this.#owner = owner
    this.#shared = shared
    this.setCredentials(credentialsOf(tokens))
    // Without a refresh token, an expired access token cannot be renewed: the user must sign in again.
    // (google-auth-library prefers a refresh handler over a refresh token, so set it only then.)
    if (tokens.refreshToken === null) this.refreshHandler = async () => { throw fail('REAUTH_REQUIRED', 'no-refresh-token') }
  }

  /** The tokens this client holds now. */
  get tokens (): GoogleTokens {
    return this.#tokens
  }

  protected override async refreshTokenNoCache (refreshToken?: string | null) {
    const shared = this.#shared
    let pending = shared.refreshing
    if (pending === null) {
      pending = this.#refresh(refreshToken)
      shared.refreshing = pending
      const clear = (): void => { if (shared.refreshing === pending) shared.refreshing = null }
      pending.then(clear, clear)
    } else {
      // Another request of this session is refreshing: use its result for this request too.
      this.#tokens = await pending
      this.#owner.adopt(this.#tokens)
    }
    return { tokens: credentialsOf(await pending), res: null }
  }

  async #refresh (refreshToken?: string | null): Promise<GoogleTokens> {
    let fresh: Credentials
    try {
      fresh = (await super.refreshTokenNoCache(refreshToken)).tokens
    } catch (error) {
      const failure = googleFailure(error, 'refresh')
      if (failure.code === 'FST_GOOGLE_OAUTH_CODE_REJECTED') {
        await this.#owner.end().catch(() => {})
        throw fail('REAUTH_REQUIRED', 'refresh:invalid_grant')
      }
      throw failure
    }
    if (typeof fresh.access_token !== 'string' || fresh.access_token === '') throw fail('GOOGLE_BAD_RESPONSE', 'refresh:no-access-token')
    const previous = this.#tokens
    const tokens: GoogleTokens = {
      accessToken: fresh.access_token,
      refreshToken: fresh.refresh_token ?? previous.refreshToken,
      idToken: fresh.id_token ?? previous.idToken,
      expiresAt: fresh.expiry_date ?? null,
      scope: fresh.scope ?? previous.scope
    }
    this.#tokens = tokens
    this.#shared.replaced = { accessToken: previous.accessToken, by: tokens }
    await this.#owner.save(tokens)
    return tokens
  }
}
