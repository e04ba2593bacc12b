import { deadline, type Timers } from '../deadline.js'
import { pluginError } from '../errors.js'

/** Runs a Redis call bounded by the store deadline; `operation` names it in the failure's reason. */
export type BoundedCall = <T>(operation: string, work: () => Promise<T>) => Promise<T>

/**
 * Redis calls bounded by the store deadline (`timeout` ms on the plugin's clock): a failure is
 * SESSION_STORE_UNAVAILABLE (503), `redis-<operation>-timeout` or `-failed`, never Redis's message.
 */
export function boundedCalls (clock: Timers, timeout: number): BoundedCall {
  return async (operation, work) => {
    try {
      return await deadline(clock, timeout, () => pluginError('SESSION_STORE_UNAVAILABLE', `redis-${operation}-timeout`), work)
    } catch (error) {
      if ((error as { code?: unknown }).code === 'FST_GOOGLE_OAUTH_SESSION_STORE_UNAVAILABLE') throw error
      throw pluginError('SESSION_STORE_UNAVAILABLE', `redis-${operation}-failed`)
    }
  }
}
