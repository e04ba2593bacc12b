import type { FastifyRequest } from 'fastify'
import { sha256 } from '../crypto.js'
import type { Emit } from '../events.js'
import type { SecurityEventAction } from '../hooks.js'
import type { RiscSettings } from '../options/resolved.js'
import type { AccountMarks } from '../session/backend.js'
import { doubleSha512 } from './token-hash.js'
import type { SecurityEvent } from './types.js'

/** The user flag of an account Google disabled: no new sign-in until it is enabled again. */
export const DISABLED_FLAG = 'risc-disabled'

/** How long a delivered token's `jti` is remembered: a redelivery within it is answered 202 and not acted on again. */
export const JTI_LIFETIME = 7 * 24 * 60 * 60_000

/** Shortest `prefix` identifier taken for `token-revoked` (Google sends 16 characters): a shorter one could match other tokens. */
const MIN_PREFIX = 8

export interface SecurityActionsOptions {
  settings: RiscSettings
  marks: AccountMarks
  /** The plugin's sign-out everywhere (the revocation epoch), reporting its `sign-out` event. */
  signOutEverywhere: (userId: string) => Promise<number>
  emit: Emit
}

interface Done {
  actions: SecurityEventAction[]
  sessions: number
}

/** Which refresh tokens a `token-revoked` event names; null when it names none the plugin can match. */
function refreshTokenMatcher (claims: Readonly<Record<string, unknown>>): ((token: string) => boolean) | null {
  const subject = claims.subject as { subject_type?: unknown, token_type?: unknown, token_identifier_alg?: unknown, token?: unknown } | undefined
  if (subject?.subject_type !== 'oauth_token' || subject.token_type !== 'refresh_token' || typeof subject.token !== 'string') return null
  const identifier = subject.token
  if (subject.token_identifier_alg === 'prefix' && identifier.length >= MIN_PREFIX) return (token) => token.startsWith(identifier)
  if (subject.token_identifier_alg === 'hash_base64_sha512_sha512') return (token) => doubleSha512(token) === identifier
  return null
}

/**
 * What the plugin does with the security events of a verified token: each token once (by its
 * `jti`, across the instances sharing the store), each event through the app's `onSecurityEvent`
 * and then, unless the app handled it, the default action; every event reported as
 * `security-event`.
 */
export function createSecurityActions (options: SecurityActionsOptions) {
  const { marks, emit } = options

  async function byDefault (event: SecurityEvent): Promise<Done> {
    const userId = event.userId
    switch (event.type) {
      case 'sessions-revoked':
        return { actions: ['signed-out-everywhere'], sessions: await options.signOutEverywhere(userId!) }
      case 'account-disabled': {
        // Blocked first: a sign-in that starts while the sessions end cannot slip through.
        await marks.setUserFlag(userId!, DISABLED_FLAG, true)
        if (event.reason !== 'hijacking') return { actions: ['sign-in-blocked'], sessions: 0 }
        return { actions: ['sign-in-blocked', 'signed-out-everywhere'], sessions: await options.signOutEverywhere(userId!) }
      }
      case 'account-enabled':
        await marks.setUserFlag(userId!, DISABLED_FLAG, false)
        return { actions: ['sign-in-unblocked'], sessions: 0 }
      case 'tokens-revoked': {
        const dropped = await marks.dropTokens({ userId: userId! })
        return dropped === null ? { actions: ['none'], sessions: 0 } : { actions: ['tokens-dropped'], sessions: dropped }
      }
      case 'token-revoked': {
        const matches = refreshTokenMatcher(event.claims)
        const dropped = matches === null ? null : await marks.dropTokens({ refreshToken: matches })
        return dropped === null ? { actions: ['none'], sessions: 0 } : { actions: ['tokens-dropped'], sessions: dropped }
      }
      default:
        // account-credential-change-required, verification, and types the plugin does not know: reported only.
        return { actions: ['none'], sessions: 0 }
    }
  }

  async function handleOne (event: SecurityEvent, request: FastifyRequest): Promise<void> {
    const hook = options.settings.onSecurityEvent
    const decision = hook === null ? undefined : await hook(event, { request })
    const done = decision === 'handled' ? { actions: ['handled-by-app'] as SecurityEventAction[], sessions: 0 } : await byDefault(event)
    emit({ type: 'security-event', eventType: event.type, userId: event.userId, reason: event.reason, state: event.state, ...done, requestId: request.id })
  }

  return {
    /**
     * Acts on the events of a verified token, once per `jti`: false when it was acted on before (a
     * redelivery). When an action fails, the `jti` is forgotten so that Google's next delivery acts.
     */
    async handle (events: readonly SecurityEvent[], request: FastifyRequest): Promise<boolean> {
      const key = `risc:${sha256(events[0]!.id)}`
      if (!(await marks.firstTime(key, JTI_LIFETIME))) return false
      try {
        for (const event of events) await handleOne(event, request)
      } catch (error) {
        await marks.forget(key).catch(() => {})
        throw error
      }
      return true
    },
    /** Whether Google disabled the account (sign-in refused until it enables it again). */
    disabled: (userId: string): Promise<boolean> => marks.userFlag(userId, DISABLED_FLAG)
  }
}

export type SecurityActions = ReturnType<typeof createSecurityActions>
