import { randomToken } from '../crypto.js'
import { pluginError } from '../errors.js'
import { MAX_MS, show } from '../options/checks.js'
import { kSessionBackend, type BackendSettings, type SessionBackend } from '../session/backend.js'
import type { StoredRecord } from '../session/sealed-tokens.js'
import { Revocations } from '../session/revocations.js'
import { boundedCalls } from './calls.js'
import { REGISTRY_TTL, storeChannel } from './channel.js'
import { storeClient, type RedisClient } from './client.js'
import { fastifySessionInterface } from './fastify-session.js'
import { keyLayout } from './keys.js'
import { redisMarks } from './marks.js'
import { NearCache } from './near-cache.js'
import { redisRecords } from './records.js'
import { refreshLock, sessionChanges } from './refresh-lock.js'
import { defineScripts } from './scripts.js'
import { redisSessionsOf } from './sessions-of.js'

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** Prefix of every key (and of the invalidation channel). Default `'goauth:'`. */
  prefix?: string | undefined
  /**
   * The cache of sessions in each process, kept coherent through Redis pub/sub (`false` for none):
   * at most `max` sessions (default 10 000), each used for at most `ttl` ms (default 5 000)
   * before Redis is asked again.
   */
  nearCache?: false | { max?: number | undefined, ttl?: number | undefined } | undefined
  /**
   * How long a sign-out waits for the other instances to confirm that they dropped their copies
   * (ms, default 1 000). Once it returns, a request to any instance that confirmed is refused; an
   * instance that did not (a network partition) stops using its copies within `nearCache.ttl`.
   */
  confirmTimeout?: number | undefined
}

const invalid = (message: string) => pluginError('INVALID_OPTION', 'redis-store-option', message)
/** A whole number from 1 to what a timer holds (a longer delay fires at once; lru-cache refuses fractions). */
const wholeMs = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_MS

/**
 * A session store made for this plugin, on a Redis client the app creates, connects and closes:
 * ioredis (`new Redis(…)` or `new Cluster(…)`) or node-redis (`createClient(…)` or
 * `createCluster(…)`). Give it as the plugin's `store`:
 *
 * ```ts
 * import { redisStore } from 'fastify-google-oauth/redis'
 * await app.register(googleOAuth, { ...options, store: redisStore(new Redis(url, { enableOfflineQueue: false })) })
 * ```
 *
 * Every write is one atomic Lua script (with ioredis, defined on the client with `defineCommand`, as
 * `fastifyGoogleOAuthCreate`, `…Update`, `…End`, `…Revoke`, `…Unlock`, `…Beat` and `…Instances`); sign-out leaves a tombstone every write checks; token
 * writes compare a version; an index of sessions by user gives `signOutEverywhere`, the
 * per-user cap and the list of a user's sessions (`sessionsOf`); a near cache in each process, kept coherent through pub/sub, spares Redis the
 * read of most guarded requests; instances refresh a session's tokens once, under a lock.
 * It also has @fastify/session's `get`/`set`/`destroy`.
 */
export function redisStore (redis: RedisClient, options: RedisStoreOptions = {}) {
  const client = storeClient(redis)
  const prefix = options.prefix ?? 'goauth:'
  if (typeof prefix !== 'string' || /[{}\s]/.test(prefix)) throw invalid('redisStore: prefix must be a string without braces or spaces, e.g. \'myapp:sessions:\'.')
  const near = options.nearCache === false ? null : { max: options.nearCache?.max ?? 10_000, ttl: options.nearCache?.ttl ?? 5_000 }
  if (near !== null && (!Number.isInteger(near.max) || near.max < 1 || !wholeMs(near.ttl))) {
    throw invalid(`redisStore: nearCache.max must be a positive integer and nearCache.ttl a whole number of milliseconds from 1 to ${MAX_MS}, or nearCache: false (got ${show(options.nearCache)}).`)
  }
  const confirmWait = options.confirmTimeout ?? 1_000
  if (!wholeMs(confirmWait)) {
    throw invalid(`redisStore: confirmTimeout must be a whole number of milliseconds from 1 to ${MAX_MS} (got ${show(confirmWait)}).`)
  }

  const keys = keyLayout(prefix)
  const scripts = defineScripts(client)

  function backend (settings: BackendSettings): SessionBackend {
    const call = boundedCalls(settings.clock, settings.timeout)
    const cache = near === null ? null : new NearCache<StoredRecord>({ ...near, now: settings.clock.now })
    const revocations = new Revocations({
      now: settings.clock.now,
      fetch: async (userId) => Number(await call('revoked', async () => await client.get(keys.revoked(userId)))) || 0,
      trustFor: near?.ttl ?? 5_000,
      live: false
    })
    const changes = sessionChanges(settings.clock)
    const channel = storeChannel(client, {
      channel: keys.channel,
      clock: settings.clock,
      registry: {
        beat: (instance) => call('beat', () => scripts.beat([keys.instances], [instance, REGISTRY_TTL])),
        leave: (instance) => call('leave', () => client.zrem(keys.instances, instance)),
        live: async () => await call('instances', () => scripts.instances([keys.instances], [])) as string[]
      },
      onMessage (message) {
        if (Array.isArray(message.s)) {
          cache?.invalidate(message.s)
          changes.changed(message.s)
        }
        if (typeof message.u === 'string' && typeof message.t === 'number') revocations.learn(message.u, message.t)
      },
      onUp () {
        cache?.up()
        revocations.up()
      },
      onDown () {
        cache?.down()
        revocations.down()
      }
    })
    /** The lock of the refresh this process runs for a session, if any: its writes are fenced by it. */
    const holding = new Map<string, string>()
    const records = redisRecords({ client, keys, scripts, call, cache, channel, revocations, holding, confirmWait, settings })

    return {
      revocations,
      revokeEndsSessions: true,
      read: records.read,
      isEnded: records.isEnded,
      newId: (userId) => keys.tagOf(userId) + randomToken(32),
      create: records.create,
      update: records.update,
      end: records.end,
      revoke: records.revoke,
      sessionsOf: redisSessionsOf({ client, keys, scripts, call, isEnded: records.isEnded }),
      // A refresh holds its lock longer than it can take (Google's calls, then the store's write).
      ...redisMarks({ client, keys, scripts, call, update: records.update }),
      refreshOnce: refreshLock({
        client, keys, scripts, call, changes, readFresh: records.readFresh, holding, lockMs: settings.refreshDeadline + 2 * settings.timeout, now: settings.clock.now
      }),
      async close () {
        cache?.down()
        channel.close()
      }
    }
  }

  return {
    ...fastifySessionInterface(client, keys),
    [kSessionBackend]: backend
  }
}

export type GoogleOAuthRedisStore = ReturnType<typeof redisStore>
