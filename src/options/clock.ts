import type { Clock } from '../types.js'
import { invalid } from './checks.js'

/** The system clock; its timers never keep the process alive. */
const SYSTEM_CLOCK: Clock = {
  now: Date.now,
  setTimeout (callback, ms) {
    const timer = setTimeout(callback, ms)
    timer.unref()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout)
}

export function readClock (value: unknown): Clock {
  if (value === undefined) return SYSTEM_CLOCK
  const clock = value as Partial<Record<keyof Clock, unknown>> | null
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    throw invalid('options.clock must be an object with now(), setTimeout() and clearTimeout() (or leave it out for the system clock).')
  }
  return value as Clock
}
