import { createHash } from 'node:crypto'
import { pluginError } from '../errors.js'

/** An ioredis client, 5.x or 6.x: `new Redis(…)` for one server, `new Cluster(…)` for a cluster. */
export interface IoredisClient {
  readonly isCluster: boolean
  hmget: (...args: never[]) => unknown
  defineCommand: (...args: never[]) => unknown
  duplicate: (...args: never[]) => unknown
}

/** A node-redis client (`redis` 5.x or 6.x): `createClient(…)` or `createCluster(…)`, connected by the app. */
export interface NodeRedisClient {
  sendCommand: (...args: never[]) => unknown
  multi: (...args: never[]) => unknown
  duplicate: (...args: never[]) => unknown
}

/** The app's Redis client, which it creates, connects and closes: ioredis or node-redis, one server or a cluster. */
export type RedisClient = IoredisClient | NodeRedisClient

/** What the store's subscriber connection reports. */
export interface SubscriberEvents {
  message: (channel: string, text: string) => void
  /** The connection is (again) up and subscribed, as far as the client tells. */
  ready: () => void
  /** The connection dropped or failed: messages may be missed from now on. */
  trouble: () => void
}

/** One Lua script, run with its keys then its other arguments (on a cluster, on the node of its keys' slot). */
export type Script = (keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<unknown>

/** The few Redis operations the store makes, the same on every client. */
export interface StoreClient {
  hmget: (key: string, fields: readonly string[]) => Promise<Array<string | null>>
  get: (key: string) => Promise<string | null>
  /** `SET key value PX ms NX`: true when it was set. */
  setIfAbsent: (key: string, value: string, ms: number) => Promise<boolean>
  del: (key: string) => Promise<void>
  zrem: (key: string, member: string) => Promise<void>
  /** `HSET key …fields` then `PEXPIREAT key at`, in one transaction. */
  hsetUntil: (key: string, fields: Record<string, string>, at: number) => Promise<void>
  publish: (channel: string, message: string) => Promise<void>
  /** A script of the store: for ioredis a command `name` defined on the app's client. */
  script: (name: string, keys: number, lua: string) => Script
  /** A connection of its own subscribed to `channels`; `close` ends it. */
  subscribe: (channels: readonly string[], events: SubscriberEvents) => { close: () => void }
}

type Call = (...args: unknown[]) => Promise<unknown>
type Any = Record<string, Call> & { on: (event: string, listener: (...args: never[]) => void) => unknown }
const noop = (): void => {}
const isFunction = (value: unknown, ...names: string[]): boolean =>
  typeof value === 'object' && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function')

/** The store's operations on the client the app gave; a startup error naming both clients if it is neither. */
export function storeClient (client: RedisClient): StoreClient {
  if (isFunction(client, 'hmget', 'defineCommand', 'duplicate')) return ioredis(client as unknown as Any)
  if (isFunction(client, 'sendCommand', 'multi', 'duplicate')) return nodeRedis(client as unknown as Any)
  throw pluginError('INVALID_OPTION', 'redis-store-option', 'redisStore(client): give an ioredis client (new Redis(url) or new Cluster(nodes)) or a node-redis client (createClient() or createCluster() from \'redis\'); the app creates, connects and closes it.')
}

function ioredis (client: Any): StoreClient {
  const cluster = (client as unknown as IoredisClient).isCluster === true
  return {
    hmget: async (key, fields) => await client.hmget!(key, ...fields) as Array<string | null>,
    get: async (key) => await client.get!(key) as string | null,
    setIfAbsent: async (key, value, ms) => await client.set!(key, value, 'PX', ms, 'NX') === 'OK',
    del: async (key) => { await client.del!(key) },
    zrem: async (key, member) => { await client.zrem!(key, member) },
    async hsetUntil (key, fields, at) {
      const multi = client.multi!() as unknown as Any
      multi.hset!(key, fields)
      multi.pexpireat!(key, at)
      await multi.exec!()
    },
    publish: async (channel, message) => { await client.publish!(channel, message) },
    script (name, keys, lua) {
      (client.defineCommand as unknown as (name: string, definition: object) => void)(name, { numberOfKeys: keys, lua })
      return async (keyList, args) => await client[name]!(...keyList, ...args)
    },
    subscribe (channels, events) {
      // It subscribes again itself on every 'ready' (ioredis's own resubscription would be a second
      // one, whose failure during a reconnect nobody could handle).
      const sub = (cluster ? client.duplicate!() : client.duplicate!({ autoResubscribe: false })) as unknown as Any
      sub.on('error', noop)
      sub.on('message', events.message)
      for (const event of ['close', 'end', 'reconnecting', 'node error', '-node']) sub.on(event, events.trouble)
      const subscribe = (): void => { sub.subscribe!(...channels).then(events.ready, events.trouble) }
      sub.on('ready', subscribe)
      const status = (sub as unknown as { status: string }).status
      if (status === 'ready') subscribe()
      else if (status === 'wait') sub.connect!().catch(noop)
      return { close: () => { void sub.disconnect!() } }
    }
  }
}

/** Whether Redis did not know a script (EVALSHA's NOSCRIPT error). */
const noScript = (error: unknown): boolean => String((error as { message?: unknown } | null)?.message).startsWith('NOSCRIPT')

function nodeRedis (client: Any): StoreClient {
  // A cluster routes each command by the slot of its first key (none: any node).
  const cluster = 'masters' in client
  const send = async (key: string | undefined, args: ReadonlyArray<string | number>): Promise<unknown> => {
    const strings = args.map(String)
    return await (cluster ? client.sendCommand!(key, false, strings) : client.sendCommand!(strings))
  }
  return {
    hmget: async (key, fields) => await send(key, ['HMGET', key, ...fields]) as Array<string | null>,
    get: async (key) => await send(key, ['GET', key]) as string | null,
    setIfAbsent: async (key, value, ms) => await send(key, ['SET', key, value, 'PX', ms, 'NX']) === 'OK',
    del: async (key) => { await send(key, ['DEL', key]) },
    zrem: async (key, member) => { await send(key, ['ZREM', key, member]) },
    async hsetUntil (key, fields, at) {
      const multi = (cluster ? client.multi!(key) : client.multi!()) as unknown as Any
      const add = (args: string[]): unknown => cluster ? multi.addCommand!(key, false, args) : multi.addCommand!(args)
      add(['HSET', key, ...Object.entries(fields).flat()])
      add(['PEXPIREAT', key, String(at)])
      await multi.exec!()
    },
    publish: async (channel, message) => { await send(undefined, ['PUBLISH', channel, message]) },
    script (_name, keys, lua) {
      const sha = createHash('sha1').update(lua).digest('hex')
      // By digest; by source when Redis does not know it (a restart, a failover, SCRIPT FLUSH).
      return async (keyList, args) => {
        const rest = [keys, ...keyList, ...args]
        try {
          return await send(keyList[0], ['EVALSHA', sha, ...rest])
        } catch (error) {
          if (!noScript(error)) throw error
          return await send(keyList[0], ['EVAL', lua, ...rest])
        }
      }
    },
    subscribe (channels, events) {
      // node-redis subscribes again by itself after a reconnection (on a cluster, on another node if need be).
      const sub = client.duplicate!() as unknown as Any
      sub.on('error', events.trouble)
      for (const event of ['reconnecting', 'end', 'node-reconnecting', 'node-disconnect', 'node-error']) sub.on(event, events.trouble)
      for (const event of ['ready', 'node-ready']) sub.on(event, events.ready)
      let closed = false
      const listener = (text: string, channel: string): void => events.message(channel, text)
      sub.connect!()
        .then(async () => await sub.subscribe!([...channels], listener))
        .then(events.ready, () => { if (!closed) events.trouble() })
      return {
        close () {
          closed = true
          if (typeof sub.destroy === 'function') sub.destroy()
          else sub.disconnect!().catch(noop)
        }
      }
    }
  }
}
