import type { FastifyRequest } from 'fastify'
import { OAuth2Client, type Credentials, type OAuth2ClientOptions } from 'google-auth-library'
import { pluginError } from '../errors.js'
import type { Emit } from '../events.js'
import { growingCache } from '../growing-cache.js'
import type { Sessions, TokenOwner } from '../session/sessions.js'
import type { GoogleTokens } from '../types.js'
import { googleFailure } from './client.js'

/** What a client reports of its refreshes (the request and user are added by whoever made it). */
type RefreshEvent = { type: 'token-refreshed' } | { type: 'token-refresh-failed', reason: string } | { type: 'reauth-required' }

/** What the clients of one session's concurrent requests share in this process. */
interface SharedRefresh {
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
 * per session at a time in this process (concurrent requests wait for it) and, with a store that
 * offers it, across the instances sharing the session; the new tokens persisted to the session
 * once (the old refresh token is kept when Google sends none); a revoked or expired refresh token
 * ends the session and surfaces as REAUTH_REQUIRED (as does having no refresh token at all, the
 * session kept); and Google's failures become the plugin's own errors (google-auth-library's
 * messages can embed tokens).
 */
export class UserGoogleClient extends OAuth2Client {
  #tokens: GoogleTokens
  readonly #owner: TokenOwner
  readonly #shared: SharedRefresh
  readonly #report: (event: RefreshEvent) => void

  constructor (clientOptions: OAuth2ClientOptions, tokens: GoogleTokens, owner: TokenOwner, shared: SharedRefresh, report: (event: RefreshEvent) => void) {
    super(clientOptions)
    this.#tokens = tokens
    this.#owner = owner
    this.#shared = shared
    this.#report = report
    this.setCredentials(credentialsOf(tokens))
    // Without a refresh token, an expired access token cannot be renewed: the user must sign in again.
    // (google-auth-library prefers a refresh handler over a refresh token, so set it only then.)
    if (tokens.refreshToken === null) {
      this.refreshHandler = async () => {
        report({ type: 'reauth-required' })
        throw pluginError('REAUTH_REQUIRED', 'no-refresh-token')
      }
    }
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
    const refreshOnce = this.#owner.refreshOnce
    if (refreshOnce === undefined) return await this.#refreshAtGoogle(refreshToken)
    // Instances sharing the session make one call to Google: this one, or the one holding its lock.
    const previous = this.#tokens
    const tokens = await refreshOnce(previous, () => this.#refreshAtGoogle(refreshToken))
    if (tokens !== this.#tokens) {
      this.#tokens = tokens
      this.#shared.replaced = { accessToken: previous.accessToken, by: tokens }
      this.#owner.adopt(tokens)
    }
    return tokens
  }

  async #refreshAtGoogle (refreshToken?: string | null): Promise<GoogleTokens> {
    let fresh: Credentials
    try {
      fresh = (await super.refreshTokenNoCache(refreshToken)).tokens
    } catch (error) {
      const failure = googleFailure(error, 'refresh')
      this.#report({ type: 'token-refresh-failed', reason: failure.reason ?? failure.code })
      if (failure.code === 'FST_GOOGLE_OAUTH_CODE_REJECTED') {
        await this.#owner.end().catch(() => {})
        this.#report({ type: 'reauth-required' })
        throw pluginError('REAUTH_REQUIRED', 'refresh:invalid_grant')
      }
      throw failure
    }
    if (typeof fresh.access_token !== 'string' || fresh.access_token === '') throw pluginError('GOOGLE_BAD_RESPONSE', 'refresh:no-access-token')
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
    await this.#owner.save(tokens, previous)
    this.#report({ type: 'token-refreshed' })
    return tokens
  }
}

/**
 * Hands out `request.googleAuth`: a client per request, sharing per session (in this process) the
 * refresh in flight and the last refresh's result, so that concurrent requests of one session make
 * one token refresh, whichever kind of session holds the tokens. Null for a request without a
 * session or without Google access.
 */
export function createUserClients (sessions: Sessions, clientOptions: OAuth2ClientOptions, emit: Emit) {
  const shared = growingCache<string, SharedRefresh>(10_000, { ttl: 15 * 60_000 })

  return function clientFor (request: FastifyRequest): UserGoogleClient | null {
    let tokens = sessions.tokens(request)
    const handle = sessions.tokenOwner(request)
    if (tokens === null || handle === null) return null
    let state = shared.get(handle.key)
    if (state === undefined) {
      state = { refreshing: null, replaced: null }
      shared.set(handle.key, state)
    } else if (state.replaced?.accessToken === tokens.accessToken) {
      // This request read the session before another request's refresh was written: use its result.
      tokens = state.replaced.by
      handle.owner.adopt(tokens)
    }
    const userId = sessions.user(request)?.id ?? null
    return new UserGoogleClient(clientOptions, tokens, handle.owner, state, (event) => emit({ ...event, userId, requestId: request.id }))
  }
}
