import type { FastifyBaseLogger } from 'fastify'
import type { GoogleOAuthEvent } from './hooks.js'

export type { GoogleOAuthEvent, SecurityEventAction, SecurityEventReport, SignInRefusal } from './hooks.js'

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
