import type { FastifyReply, FastifyRequest } from 'fastify'
import type { OAuth2Client } from 'google-auth-library'
import type { Emit } from '../events.js'
import { pluginError } from '../errors.js'
import { revokeTokens } from '../google/revoke-tokens.js'
import type { Identity } from '../http/identity.js'
import type { BearerAuth } from '../sign-in/bearer.js'
import type { GoogleUser } from '../types.js'
import type { Sessions } from './sessions.js'

export interface AccountActionsOptions {
  sessions: Sessions
  identity: Identity
  bearer: BearerAuth | null
  /** The app's client, to revoke a session's Google token with. */
  google: OAuth2Client
  emit: Emit
  /** Revoke the session's Google token at sign-out. */
  revokeOnLogout: boolean
}

/**
 * What an app (and the logout route) can do to a signed-in user: sign the request out, sign a user
 * out everywhere, change the user's stored fields. Each reports its event.
 */
export function createAccountActions (options: AccountActionsOptions) {
  const { sessions, identity, bearer, emit } = options

  /** Revokes a user everywhere (see `signOutEverywhere`), reporting it; how many sessions ended. */
  async function revoke (userId: string, requestId: string | null): Promise<number> {
    const ended = await sessions.revoke(userId)
    emit({ type: 'sign-out', everywhere: true, sessions: ended, userId, requestId })
    return ended
  }

  return {
    /**
     * Signs the request's user out. A cookie session ends (and, with `revokeOnLogout`, its Google
     * token is revoked). A request authenticated by a Bearer token has no session: its token is
     * verified (a bad one is refused 401), then its user is signed out everywhere, since an ID token
     * can only be refused by when it was issued. Never both: one request, one identity.
     */
    async signOut (request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (identity.byHeader(request)) {
        // The route need not have run the guard: the header is verified here.
        const user = identity.user(request) ?? await bearer!.authenticate(request.headers.authorization!, request)
        await revoke(user.id, request.id)
        return
      }
      const userId = identity.user(request)?.id ?? null
      const tokens = identity.tokens(request)
      await sessions.signOut(request, reply)
      if (options.revokeOnLogout && tokens !== null) revokeTokens(options.google, tokens, request.log)
      if (userId !== null) emit({ type: 'sign-out', everywhere: false, sessions: 1, userId, requestId: request.id })
    },

    async signOutEverywhere (userId: string): Promise<number> {
      if (typeof userId !== 'string' || userId === '') throw pluginError('INVALID_ARGUMENT', 'sign-out-everywhere-user', 'signOutEverywhere(userId): give the user\'s id (request.googleUser.id).')
      return await revoke(userId, null)
    },

    async updateUser (request: FastifyRequest, fields: Partial<Omit<GoogleUser, 'id'>>): Promise<GoogleUser> {
      if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw pluginError('INVALID_ARGUMENT', 'update-user-fields', 'updateUser(request, fields): fields must be an object, e.g. { role: \'admin\' }.')
      if (identity.byHeader(request)) throw pluginError('NOT_SUPPORTED', 'update-user-bearer', 'updateUser changes a signed-in session; a request authenticated by a Bearer token has none (its fields come from onSignIn).')
      // Stored as JSON, so that it comes back the same from every store.
      return await sessions.updateUser(request, JSON.parse(JSON.stringify(fields)) as typeof fields)
    }
  }
}

export type AccountActions = ReturnType<typeof createAccountActions>
