import type { Clock } from './types.js'

/** The timers a deadline runs on: the plugin's clock (`options.clock`), or any with the same two methods. */
export type Timers = Pick<Clock, 'setTimeout' | 'clearTimeout'>

/** A deadline under way. */
export interface Deadline {
  /**
   * Aborts once the time is up, with the deadline's error as its `reason`, for work that can be
   * stopped (a request). Made when first read: bounded work that cannot be stopped costs none.
   */
  readonly signal: AbortSignal
  /** Stops the timer (the work settled): nothing expires. */
  clear (): void
}

/** A timer on the plugin's clock, with a signal made only when read (V8 makes a class instance faster than a literal with a getter). */
class Countdown implements Deadline {
  #controller: AbortController | undefined
  #reason: Error | undefined
  readonly clear: () => void

  constructor (clock: Timers, ms: number, makeError: () => Error, onExpire?: (error: Error) => void) {
    if (ms === Infinity) {
      this.clear = () => {}
      return
    }
    const timer = clock.setTimeout(() => {
      const reason = this.#reason = makeError()
      this.#controller?.abort(reason)
      onExpire?.(reason)
    }, ms)
    this.clear = () => clock.clearTimeout(timer)
  }

  get signal (): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#reason !== undefined) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }
}

/**
 * Starts a deadline of `ms` on `clock`'s timers: once it passes, `makeError()` is made, aborts the
 * signal (its reason) and is given to `onExpire`. `ms` may be `Infinity`: no timer, nothing expires.
 *
 * Every bound the plugin sets (a call to Google, to the session store or to Redis, the app's
 * `onSignIn`) runs on the clock it is given, which is the plugin's `clock` option: with a fake
 * clock the test owns time, and nothing expires until it moves that clock past `ms`.
 */
export function startDeadline (clock: Timers, ms: number, makeError: () => Error, onExpire?: (error: Error) => void): Deadline {
  return new Countdown(clock, ms, makeError, onExpire)
}

/**
 * Runs `work` within `ms` on `clock`: its result, or `makeError()` if it has not settled by then.
 * `work` is given the deadline, whose signal stops what it started when the time is up; work that
 * cannot be stopped is left to settle on its own, its result ignored. See {@link startDeadline}.
 */
export async function deadline<T> (clock: Timers, ms: number, makeError: () => Error, work: (deadline: Deadline) => Promise<T>): Promise<T> {
  if (ms === Infinity) return await work(startDeadline(clock, ms, makeError))
  let expire!: (error: Error) => void
  const expired = new Promise<never>((_resolve, reject) => { expire = reject })
  const bound = startDeadline(clock, ms, makeError, expire)
  try {
    return await Promise.race([work(bound), expired])
  } finally {
    bound.clear()
  }
}
