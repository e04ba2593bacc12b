import type { FastifyBaseLogger } from 'fastify'
import type { SignInMethod } from './sign-in/admit.js'

/** Why a sign-in was refused: a policy, the app's `onSignIn`, or the hook failing. */
export type SignInRefusal = 'hosted-domain' | 'email-not-verified' | 'email-not-authoritative' | 'email-not-allowed' | 'on-sign-in'

interface EventBase {
  /** The Google account (`sub`), when known. */
  userId: string | null
  /** Fastify's id of the request it happened in; null outside a request (`signOutEverywhere`). */
  requestId: string | null
  /** Epoch ms, by the plugin's clock. */
  at: number
}

/**
 * What the plugin reports to `onEvent`, for audit logs and metrics. Never a token, a code or a
 * cookie: ids, reasons and counts only.
 */
export type GoogleOAuthEvent =
  | EventBase & { type: 'sign-in', method: SignInMethod, scopes: string[] }
  | EventBase & { type: 'scopes-granted', scopes: string[] }
  | EventBase & { type: 'sign-in-refused', reason: SignInRefusal }
  | EventBase & { type: 'sign-in-failed', reason: 'on-sign-in-threw' | 'on-sign-in-timeout' | 'on-sign-in-returned-no-object' | 'on-sign-in-changed-id' | 'on-sign-in-returned-no-json' }
  | EventBase & { type: 'sign-out', everywhere: boolean, sessions: number }
  | EventBase & { type: 'session-expired', reason: 'idle' | 'absolute' }
  | EventBase & { type: 'token-refreshed' }
  | EventBase & { type: 'token-refresh-failed', reason: string }
  | EventBase & { type: 'reauth-required' }

/** An event as a part of the plugin describes it; the emitter adds the time. */
export type EventInput = GoogleOAuthEvent extends infer E ? E extends GoogleOAuthEvent ? Omit<E, 'at'> : never : never

export type Emit = (event: EventInput) => void

/**
 * Calls the app's listener, never letting it break a request: what it throws (or rejects) is
 * logged, without the event's details.
 */
export function createEmitter (listener: ((event: GoogleOAuthEvent) => unknown) | null, now: () => number, log: FastifyBaseLogger): Emit {
  if (listener === null) return () => {}
  const failed = (error: unknown) => log.warn({ type: (error as Error | null)?.name ?? typeof error }, 'fastify-google-oauth: the onEvent listener failed')
  return (event) => {
    try {
      const result = listener(Object.freeze({ ...event, at: now() }) as GoogleOAuthEvent)
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') (result as PromiseLike<unknown>).then(undefined, failed)
    } catch (error) {
      failed(error)
    }
  }
}
