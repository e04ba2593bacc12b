import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../options.js'

/**
 * Logs a session store outage once when it starts and once when it ends, with how many requests
 * it refused and for how long, instead of a warning for every refused request.
 */
export function storeOutage (log: FastifyBaseLogger, clock: Pick<Clock, 'now'>) {
  let since: number | null = null
  let refused = 0
  return {
    failed (error: unknown): void {
      refused++
      if (since !== null) return
      since = clock.now()
      const { code, reason } = error as { code?: string, reason?: string }
      log.warn({ code, reason }, 'fastify-google-oauth: the session store is unavailable; signed-in requests are answered 503 until it is back')
    },
    succeeded (): void {
      if (since === null) return
      log.info({ refused, ms: clock.now() - since }, 'fastify-google-oauth: the session store is back')
      since = null
      refused = 0
    }
  }
}
