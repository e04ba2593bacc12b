import { createHmac } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { deriveKey, sameText } from '../crypto.js'
import { pluginError } from '../errors.js'
import type { Emit } from '../events.js'
import type { Identity } from '../http/identity.js'
import type { UserSession } from '../api.js'
import type { ListedSession } from './backend.js'
import { expiryReason, type Lifetimes } from './record.js'
import type { SessionIndex, Sessions } from './sessions.js'

/** The HKDF label of the key handles are made with (no other key of the plugin is derived with it). */
const HANDLE_LABEL = 'fastify-google-oauth session handle v1'

/** Characters of a handle: 22 of base64url, 128 bits of an HMAC. */
const HANDLE_LENGTH = 22

export interface DeviceActionsOptions {
  sessions: Sessions
  identity: Identity
  emit: Emit
  /** The app's `secret`, newest first: the first makes handles, every one is accepted. */
  secrets: readonly string[]
  lifetimes: Lifetimes
  now: () => number
}

const unsupported = (name: string) => pluginError('NOT_SUPPORTED', 'no-session-index', `${name} needs a store that finds a user's sessions: the plugin's default store, or redisStore from fastify-google-oauth/redis. Another @fastify/session store, or the app's own @fastify/session, keeps no index of sessions by user.`)

const isRequest = (value: unknown): value is FastifyRequest =>
  typeof value === 'object' && value !== null && typeof (value as { headers?: unknown }).headers === 'object'

/**
 * A person's sessions, as a list of their devices shows them, and ended one by one. A session is
 * named by a handle, an HMAC of its id under a key derived from `secret`: it names the session
 * to the same user's later request, and cannot be turned back into the id (nor the cookie).
 * Nothing here runs on a guarded request: the list is read from the store when asked for.
 */
export function createDeviceActions (options: DeviceActionsOptions) {
  const { sessions, identity, emit } = options
  const keys = options.secrets.map((secret) => deriveKey(secret, HANDLE_LABEL))
  const handleOf = (key: Buffer, id: string): string => createHmac('sha256', key).update(id).digest('base64url').slice(0, HANDLE_LENGTH)

  function indexFor (name: string): SessionIndex {
    if (sessions.index === undefined) throw unsupported(name)
    return sessions.index
  }

  /** Whose sessions: a request's signed-in user (and its own session), or a user by id. */
  function whose (who: FastifyRequest | string, name: string, index: SessionIndex): { userId: string, currentId: string | null, requestId: string | null } {
    if (typeof who === 'string' && who !== '') return { userId: who, currentId: null, requestId: null }
    if (!isRequest(who)) throw pluginError('INVALID_ARGUMENT', `${name}-who`, `${name}(request | userId, ...): give the request, or the user's id (request.googleUser.id).`)
    const user = identity.user(who)
    if (user === null) throw pluginError('UNAUTHENTICATED', `${name}-signed-out`)
    // A request authenticated by its Bearer token is not its cookie session's (one request, one identity).
    return { userId: user.id, currentId: identity.byHeader(who) ? null : index.currentId(who), requestId: who.id }
  }

  /**
   * The user's sessions that still count. (Both stores with an index end a revoked user's
   * sessions themselves, and refuse one whose sign-in began before: none listed is revoked.)
   */
  async function live (index: SessionIndex, userId: string): Promise<ListedSession[]> {
    const now = options.now()
    return (await index.list(userId)).filter(({ record }) => expiryReason(record, options.lifetimes, now) === null)
  }

  async function endAll (index: SessionIndex, ids: string[], userId: string, requestId: string | null): Promise<number> {
    await Promise.all(ids.map((id) => index.end(id)))
    if (ids.length > 0) emit({ type: 'sign-out', everywhere: false, sessions: ids.length, userId, requestId })
    return ids.length
  }

  return {
    async sessionsOf (who: FastifyRequest | string): Promise<UserSession[]> {
      const index = indexFor('sessionsOf')
      const { userId, currentId } = whose(who, 'sessionsOf', index)
      return (await live(index, userId))
        .map(({ id, record }): UserSession => ({
          handle: handleOf(keys[0]!, id),
          startedAt: record.googleSignedInAt,
          lastUsedAt: record.googleSeenAt,
          method: record.googleMethod ?? null,
          device: record.googleDevice ?? 'Unknown device',
          current: id === currentId,
          deviceBound: record.googleDeviceKey !== undefined
        }))
        .sort((a, b) => b.startedAt - a.startedAt || b.lastUsedAt - a.lastUsedAt)
    },

    async endSession (who: FastifyRequest | string, handle: string): Promise<boolean> {
      const index = indexFor('endSession')
      const { userId, requestId } = whose(who, 'endSession', index)
      if (typeof handle !== 'string') throw pluginError('INVALID_ARGUMENT', 'end-session-handle', 'endSession(request | userId, handle): give a handle from sessionsOf.')
      // Only this user's sessions are looked at: another user's handle names none of them.
      const found = (await live(index, userId)).find(({ id }) => keys.some((key) => sameText(handleOf(key, id), handle)))
      if (found === undefined) return false
      return await endAll(index, [found.id], userId, requestId) === 1
    },

    async signOutOthers (request: FastifyRequest): Promise<number> {
      const index = indexFor('signOutOthers')
      if (!isRequest(request)) throw pluginError('INVALID_ARGUMENT', 'sign-out-others-request', 'signOutOthers(request): give the request of the session to keep.')
      if (identity.byHeader(request)) throw pluginError('NOT_SUPPORTED', 'sign-out-others-bearer', 'signOutOthers keeps the request\'s own session; a request authenticated by a Bearer token has none. Use signOutEverywhere.')
      const { userId, currentId, requestId } = whose(request, 'signOutOthers', index)
      const others = (await live(index, userId)).filter(({ id }) => id !== currentId).map(({ id }) => id)
      return await endAll(index, others, userId, requestId)
    }
  }
}

export type DeviceActions = ReturnType<typeof createDeviceActions>
