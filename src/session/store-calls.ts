import type { SessionStore } from '@fastify/session'
import { guardStore } from './store-guard.js'

/** A session store's callback interface as promises, each call bounded by a deadline. */
export interface StoreCalls {
  get (id: string): Promise<unknown>
  set (id: string, value: object): Promise<void>
  destroy (id: string): Promise<void>
  /** The callback form, for the request fast path. */
  getWithCallback (id: string, callback: (error: unknown, value?: unknown) => void): void
}

export function storeCalls (store: SessionStore, timeout: number): StoreCalls {
  const guarded = guardStore(store, timeout)
  const promise = <T>(run: (callback: (error?: unknown, value?: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => run((error, value) => error ? reject(error) : resolve(value as T)))
  return {
    get: (id) => promise((callback) => guarded.get(id, (error, value) => callback(error, value))),
    set: (id, value) => promise((callback) => guarded.set(id, value as never, callback)),
    destroy: (id) => promise((callback) => guarded.destroy(id, callback)),
    getWithCallback: (id, callback) => guarded.get(id, (error, value) => callback(error, value))
  }
}
