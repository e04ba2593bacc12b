import { startDeadline, type Deadline, type Timers } from '../deadline.js'
import { pluginError } from '../errors.js'
import type { SessionStoreLike } from '../types.js'

/**
 * A session store's callback interface as promises, each call bounded by a deadline, so that a
 * failing or hanging store (Redis down) yields our SESSION_STORE_UNAVAILABLE error (503, a fixed
 * message) within `timeout` ms, instead of a hang or a 500 that echoes the store's own message.
 * "Not found", however a store says it (an ENOENT error, `null`, `undefined`), is `null`: no session.
 */
export interface StoreCalls {
  get (id: string): Promise<unknown>
  set (id: string, value: object): Promise<void>
  destroy (id: string): Promise<void>
  /** The callback form of `get`, for the request fast path. */
  getWithCallback (id: string, callback: (error: unknown, value?: unknown) => void): void
}

type Done = (error: unknown, value?: unknown) => void

const isNotFound = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ENOENT'

export function storeCalls (store: SessionStoreLike, timeout: number, clock: Timers): StoreCalls {
  function call (operation: 'get' | 'set' | 'destroy', run: (done: (error?: unknown, value?: unknown) => void) => unknown, callback: Done): void {
    let settled = false
    let limit: Deadline | undefined
    const finish = (error: unknown, value?: unknown): void => {
      if (settled) return
      settled = true
      limit?.clear()
      callback(error, value)
    }
    try {
      const returned = run((error, value) => {
        if (!error) return finish(null, value ?? null)
        // A file-style store reports an unknown id as ENOENT: that is "no session", not an outage.
        if (isNotFound(error) && operation !== 'set') return finish(null, null)
        finish(pluginError('SESSION_STORE_UNAVAILABLE', `store-${operation}-failed`))
      })
      // A store that also returns a promise may reject it instead of calling back.
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
        (returned as PromiseLike<unknown>).then(undefined, () => finish(pluginError('SESSION_STORE_UNAVAILABLE', `store-${operation}-failed`)))
      }
    } catch {
      finish(pluginError('SESSION_STORE_UNAVAILABLE', `store-${operation}-failed`))
    }
    // Only a store that did not answer at once (a networked one) needs a deadline.
    if (!settled) {
      limit = startDeadline(clock, timeout, () => pluginError('SESSION_STORE_UNAVAILABLE', `store-${operation}-timeout`), finish)
    }
  }
  const promised = (run: (callback: Done) => void): Promise<unknown> =>
    new Promise((resolve, reject) => run((error, value) => error ? reject(error) : resolve(value)))

  const get = (id: string, callback: Done): void => call('get', (done) => store.get(id, done), callback)
  return {
    get: (id) => promised((callback) => get(id, callback)),
    set: async (id, value) => { await promised((callback) => call('set', (done) => store.set(id, value, done), callback)) },
    destroy: async (id) => { await promised((callback) => call('destroy', (done) => store.destroy(id, done), callback)) },
    getWithCallback: get
  }
}
