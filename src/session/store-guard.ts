import type { SessionStore } from '@fastify/session'
import type { Session } from 'fastify'
import { fail } from '../errors.js'

type Callback = (error?: unknown) => void

/**
 * Wraps a session store so that a failing or hanging store (Redis down) yields our
 * SESSION_STORE_UNAVAILABLE error (503, a fixed message) within `timeout` ms, instead of a hang
 * or a 500 that echoes the store's own error message.
 */
export function guardStore (store: SessionStore, timeout: number): SessionStore {
  function call (operation: string, run: (done: (error?: unknown, value?: unknown) => void) => void, callback: (error?: unknown, value?: unknown) => void): void {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    try {
      run((error, value) => {
        if (settled) return
        settled = true
        if (timer !== undefined) clearTimeout(timer)
        if (error && (error as { code?: unknown }).code !== 'ENOENT') {
          callback(fail('SESSION_STORE_UNAVAILABLE', `store-${operation}-failed`))
        } else {
          callback(error, value)
        }
      })
    } catch {
      if (settled) return
      settled = true
      callback(fail('SESSION_STORE_UNAVAILABLE', `store-${operation}-failed`))
      return
    }
    // Only a store that did not answer at once (a networked one) needs a deadline.
    if (!settled) {
      timer = setTimeout(() => {
        if (settled) return
        settled = true
        callback(fail('SESSION_STORE_UNAVAILABLE', `store-${operation}-timeout`))
      }, timeout)
      timer.unref()
    }
  }

  return {
    get: (id: string, callback: (error: unknown, session?: Session | null) => void) =>
      call('get', (done) => store.get(id, done), (error, value) => callback(error ?? null, value as Session | null | undefined)),
    set: (id: string, session: Session, callback: Callback) =>
      call('set', (done) => store.set(id, session, done), (error) => callback(error)),
    destroy: (id: string, callback: Callback) =>
      call('destroy', (done) => store.destroy(id, done), (error) => callback(error))
  }
}
