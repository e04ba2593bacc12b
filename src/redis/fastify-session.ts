import type { StoreClient } from './client.js'
import type { KeyLayout } from './keys.js'

type Callback = (error?: unknown) => void

const done = (callback: Callback, work: Promise<unknown>): void => { work.then(() => callback(), callback) }

/** @fastify/session's `get`/`set`/`destroy` on the same keys, for use of the store outside the plugin. */
export function fastifySessionInterface (client: StoreClient, keys: KeyLayout) {
  return {
    get (id: string, callback: (error: unknown, session?: object | null) => void): void {
      client.hmget(keys.session(id), ['r']).then(([json]) => {
        try {
          callback(null, typeof json === 'string' ? JSON.parse(json) as object : null)
        } catch (error) {
          callback(error)
        }
      }, callback)
    },
    set (id: string, session: { cookie?: { expires?: unknown } }, callback: Callback): void {
      const expires = Date.parse(String(session.cookie?.expires))
      done(callback, client.hsetUntil(keys.session(id), { r: JSON.stringify(session), v: '1' }, Number.isFinite(expires) ? expires : Date.now() + 86_400_000))
    },
    destroy (id: string, callback: Callback): void {
      done(callback, client.del(keys.session(id)))
    },
  }
}
