import type { TokenSelector } from '../session/backend.js'
import type { SessionRecord } from '../session/record.js'
import { FLAG_LIFETIME, type Marks } from '../session/records.js'
import type { BoundedCall } from './calls.js'
import type { StoreClient } from './client.js'
import type { KeyLayout } from './keys.js'
import type { Scripts } from './scripts.js'

interface MarksOptions {
  client: StoreClient
  keys: KeyLayout
  scripts: Scripts
  call: BoundedCall
  /** The store's versioned write of a session (see `records.ts`). */
  update: (id: string, change: (current: SessionRecord) => SessionRecord | null) => Promise<SessionRecord | null>
}

/**
 * What Cross-Account Protection keeps, shared by every instance: a security event's id is one key
 * set once (`SET NX PX`), a user's flag one key under the user's hash tag, and a user's Google
 * tokens are dropped session by session through the same versioned write as any change (so every
 * instance's near cache drops its copy). A refresh token is not indexed: the store cannot find
 * the session holding one (null), and Google, which revoked it, refuses its next refresh.
 */
export function redisMarks (options: MarksOptions): Marks & { dropTokens: (select: TokenSelector) => Promise<number | null> } {
  const { client, keys, scripts, call } = options
  return {
    firstTime: async (key, ttl) => await call('mark', () => client.setIfAbsent(keys.mark(key), '1', ttl)),
    forget: async (key) => { await call('mark', () => client.del(keys.mark(key))) },
    async setUserFlag (userId, flag, on) {
      if (on) await call('flag', () => client.setIfAbsent(keys.flag(userId, flag), '1', FLAG_LIFETIME))
      else await call('flag', () => client.del(keys.flag(userId, flag)))
    },
    userFlag: async (userId, flag) => (await call('flag', () => client.get(keys.flag(userId, flag)))) !== null,
    async dropTokens (select) {
      if (!('userId' in select)) return null
      // The user's index is scored by expiry, as the registry of instances is: the same script lists what has not lapsed.
      const ids = await call('index', () => scripts.instances([keys.index(select.userId)], [])) as string[]
      let dropped = 0
      for (const id of ids) {
        const written = await options.update(id, (current) => current.googleTokens === null ? null : { ...current, googleTokens: null })
        if (written !== null) dropped++
      }
      return dropped
    }
  }
}
