import type { Redis } from 'ioredis'
import { randomToken } from '../crypto.js'
import type { Timers } from '../deadline.js'
import type { RedisClient } from './calls.js'

/**
 * What instances tell each other on the store's channel (JSON): sessions whose copies are to be
 * dropped (`s`), a user revoked at a time (`u`, `t`), and, for a sign-out, who sent it (`o`) and
 * the confirmation it waits for (`a`).
 */
export interface ChannelMessage {
  s?: string[] | Record<string, never>
  u?: string
  t?: number
  o?: string
  a?: string
}

export interface StoreChannelOptions {
  /** The channel's name; confirmations go to `<channel>:ack:<instance>`. */
  channel: string
  clock: Timers
  /** Applies a message (drops copies, learns a revocation), synchronously: it is confirmed right after. */
  onMessage: (message: ChannelMessage) => void
  /** The subscription is up (messages from now on arrive). */
  onUp: () => void
  /** The subscription dropped (messages may be missed until it is up again). */
  onDown: () => void
}

interface Pending {
  confirmed: number
  expected: number
  done: (() => void) | null
}

/**
 * The store's channel, on a connection of its own (a subscribed connection can do nothing else).
 * Every instance applies each message, then, when the message asks for it, confirms it to the
 * instance that sent it. A sign-out waits for as many confirmations as Redis delivered the message
 * to (PUBLISH's answer), or for its bound: once it returns, every instance that confirmed has
 * dropped its copies, so a request sent after its answer finds none.
 */
export function storeChannel (client: RedisClient, options: StoreChannelOptions) {
  const instance = randomToken(12)
  const ackChannel = `${options.channel}:ack:${instance}`
  const pending = new Map<string, Pending>()
  let live = false

  // It subscribes again itself on every 'ready' (ioredis's own resubscription would be a second
  // one, whose failure during a reconnect nobody could handle).
  const sub: RedisClient = client.isCluster ? client.duplicate() : (client as Redis).duplicate({ autoResubscribe: false })
  sub.on('error', () => {})
  sub.on('message', (channel: string, text: string) => {
    if (channel === ackChannel) {
      const waiting = pending.get(text)
      if (waiting === undefined) return
      waiting.confirmed++
      if (waiting.confirmed >= waiting.expected) waiting.done?.()
      return
    }
    let message: ChannelMessage
    try {
      message = JSON.parse(text) as ChannelMessage
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null) return
    options.onMessage(message)
    if (typeof message.o === 'string' && typeof message.a === 'string') {
      client.publish(`${options.channel}:ack:${message.o}`, message.a).catch(() => {})
    }
  })
  const down = (): void => {
    live = false
    options.onDown()
  }
  for (const event of ['close', 'end', 'reconnecting'] as const) sub.on(event, down)
  const subscribe = (): void => {
    sub.subscribe(options.channel, ackChannel).then(() => {
      if (sub.status !== 'ready') return
      live = true
      options.onUp()
    }, down)
  }
  sub.on('ready', subscribe)
  if (sub.status === 'ready') subscribe()
  else if (sub.status === 'wait') sub.connect().catch(() => {})

  return {
    /** True while subscribed. */
    get live (): boolean {
      return live
    },

    /**
     * A confirmation to ask for in a message (`o`, `a`): `wait(receivers)` resolves once that
     * many instances confirmed, or after `ms`, with how many did not confirm in time.
     */
    confirmation (ms: number): { o: string, a: string, wait: (receivers: number) => Promise<number>, cancel: () => void } {
      const a = randomToken(12)
      const entry: Pending = { confirmed: 0, expected: Infinity, done: null }
      pending.set(a, entry)
      return {
        o: instance,
        a,
        cancel: () => { pending.delete(a) },
        wait: (receivers) => new Promise((resolve) => {
          entry.expected = receivers
          if (entry.confirmed >= receivers) {
            pending.delete(a)
            return resolve(0)
          }
          const finish = (): void => {
            options.clock.clearTimeout(timer)
            pending.delete(a)
            resolve(Math.max(0, receivers - entry.confirmed))
          }
          entry.done = finish
          const timer = options.clock.setTimeout(finish, ms)
        })
      }
    },

    close (): void {
      down()
      sub.disconnect()
      for (const entry of pending.values()) entry.done?.()
    }
  }
}

export type StoreChannel = ReturnType<typeof storeChannel>
