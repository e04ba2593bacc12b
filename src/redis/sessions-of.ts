import type { ListedSession } from '../session/backend.js'
import { isSessionSummary } from '../session/record.js'
import type { BoundedCall } from './calls.js'
import type { StoreClient } from './client.js'
import type { KeyLayout } from './keys.js'
import type { Scripts } from './scripts.js'

interface SessionsOfOptions {
  client: StoreClient
  keys: KeyLayout
  scripts: Scripts
  call: BoundedCall
  /** True when this process ended the session. */
  isEnded: (id: string) => boolean
}

const summary = (json: string | null | undefined, userId: string) => {
  if (typeof json !== 'string') return null
  try {
    const value: unknown = JSON.parse(json)
    return isSessionSummary(value) && value.googleUser.id === userId ? value : null
  } catch {
    return null
  }
}

/**
 * A user's sessions from the user's index (`P{tag}:u:<user id>`, scored by expiry: the script
 * that lists the live instances lists its entries that have not lapsed), each read from Redis,
 * never from a near cache: a session ended on another instance is not listed. A session that
 * ended between the two reads is gone from Redis, so not listed either.
 */
export function redisSessionsOf (options: SessionsOfOptions): (userId: string) => Promise<ListedSession[]> {
  const { client, keys, scripts, call } = options
  return async (userId) => {
    const ids = await call('index', () => scripts.instances([keys.index(userId)], [])) as string[]
    const read = await Promise.all(ids.map(async (id) => {
      const [json] = await call('read', () => client.hmget(keys.session(id), ['r']))
      return { id, record: summary(json, userId) }
    }))
    return read.filter((entry): entry is ListedSession => entry.record !== null && !options.isEnded(entry.id))
  }
}
