import { Redis } from 'ioredis'
import { RedisStore } from 'fastify-session-redis-store'
import { REDIS } from './configs.js'

/** A Redis connection and a RedisStore under `prefix`; `close()` deletes the prefix's keys. */
export async function redisStore (prefix: string): Promise<{ store: RedisStore, close: () => Promise<void> }> {
  const client = new Redis({ ...REDIS, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  for (let i = 0; i < 100 && client.status !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  if (client.status !== 'ready') throw new Error(`Redis at ${REDIS.host}:${REDIS.port} is not reachable (${client.status})`)
  return {
    store: new RedisStore({ client, prefix }),
    async close () {
      await deleteKeys(client, prefix)
      client.disconnect()
    }
  }
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteKeys (client: Redis, prefix: string): Promise<number> {
  let deleted = 0
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    if (keys.length > 0) deleted += await client.del(...keys)
  } while (cursor !== '0')
  return deleted
}
