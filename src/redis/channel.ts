import { randomToken } from '../crypto.js'
import type { Timers } from '../deadline.js'
import type { StoreClient } from './client.js'

/** How long an instance stays listed after its last heartbeat (ms of Redis's time), and how often it beats. */
export const REGISTRY_TTL = 10_000
const BEAT_EVERY = 3_000
/** How often an instance whose subscription is down checks whether it is back (ms). */
const PROBE_EVERY = 500

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

/** The instances listening on the channel, each listed by its heartbeat (see `scripts.ts`). */
export interface InstanceRegistry {
  beat: (instance: string) => Promise<unknown>
  leave: (instance: string) => Promise<unknown>
  /** The instances whose heartbeat has not lapsed. */
  live: () => Promise<string[]>
}

export interface StoreChannelOptions {
  /** The channel's name; confirmations go to `<channel>:ack:<instance>`. */
  channel: string
  clock: Timers
  registry: InstanceRegistry
  /** Applies a message (drops copies, learns a revocation), synchronously: it is confirmed right after. */
  onMessage: (message: ChannelMessage) => void
  /** The subscription is up (messages from now on arrive). */
  onUp: () => void
  /** The subscription dropped (messages may be missed until it is up again). */
  onDown: () => void
}

interface Pending {
  confirmed: Set<string>
  check: (() => void) | null
  finish: (() => void) | null
}

/**
 * The store's channel, on a connection of its own (a subscribed connection can do nothing else).
 * It counts as up once a probe it publishes comes back on it (so on a cluster, once the broadcast
 * reaches its node), and as down from the first sign of trouble. While up, the instance is listed in
 * the registry. Every instance applies each message, then, when the message asks for it, confirms
 * it to the instance that sent it. A sign-out waits for the confirmations of every instance listed
 * when it began, or for its bound: once it returns, every instance that confirmed has dropped its
 * copies, so a request sent after its answer finds none. (PUBLISH's answer cannot tell how many
 * will confirm: on a cluster it counts the subscribers of one node only.)
 */
export function storeChannel (client: StoreClient, options: StoreChannelOptions) {
  const instance = randomToken(12)
  const ackChannel = `${options.channel}:ack:${instance}`
  const pending = new Map<string, Pending>()
  let live = false
  let closed = false
  /** The probe on its way, while down. */
  let probe: string | null = null

  const beat = (): void => { if (live) options.registry.beat(instance).catch(() => {}) }
  const sendProbe = (): void => {
    if (live || closed) return
    const token = probe ?? randomToken(8)
    probe = token
    client.publish(ackChannel, `?${token}`).catch(() => {})
  }
  const up = (): void => {
    probe = null
    live = true
    options.onUp()
    beat()
  }
  const down = (): void => {
    probe = null
    if (live) options.registry.leave(instance).catch(() => {})
    live = false
    options.onDown()
  }
  // Timers of the network's time, not the sessions' clock; they never keep the process alive.
  const timers = [setInterval(sendProbe, PROBE_EVERY), setInterval(beat, BEAT_EVERY)]
  for (const timer of timers) timer.unref()

  const sub = client.subscribe([options.channel, ackChannel], {
    ready: sendProbe,
    trouble: () => { if (!closed) down() },
    message (channel, text) {
      if (channel === ackChannel) {
        if (text.startsWith('?')) {
          if (!live && probe !== null && text.slice(1) === probe) up()
          return
        }
        const [a, from] = text.split(' ')
        const waiting = pending.get(a!)
        if (waiting === undefined || from === undefined) return
        waiting.confirmed.add(from)
        waiting.check?.()
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
        client.publish(`${options.channel}:ack:${message.o}`, `${message.a} ${instance}`).catch(() => {})
      }
    }
  })

  return {
    /** True while subscribed. */
    get live (): boolean {
      return live
    },

    /**
     * A confirmation to ask for in a message (`o`, `a`). The instances to wait for are read from
     * the registry now, alongside the write; `wait()` resolves once each confirmed, or after `ms`,
     * with those that did not (null: the registry could not be read, so it waited the whole `ms`).
     */
    confirmation (ms: number): { o: string, a: string, wait: () => Promise<string[] | null>, cancel: () => void } {
      const a = randomToken(12)
      const entry: Pending = { confirmed: new Set(), check: null, finish: null }
      pending.set(a, entry)
      const listed = options.registry.live().catch(() => null)
      return {
        o: instance,
        a,
        cancel: () => { pending.delete(a) },
        wait: async () => {
          const expected = await listed
          const late = (): string[] | null => expected === null ? null : expected.filter((id) => !entry.confirmed.has(id))
          return await new Promise((resolve) => {
            const finish = (): void => {
              options.clock.clearTimeout(timer)
              pending.delete(a)
              resolve(late())
            }
            entry.finish = finish
            entry.check = () => { if (late()?.length === 0) finish() }
            const timer = options.clock.setTimeout(finish, ms)
            entry.check()
          })
        }
      }
    },

    close (): void {
      down()
      closed = true
      for (const timer of timers) clearInterval(timer)
      sub.close()
      for (const entry of pending.values()) entry.finish?.()
    }
  }
}

export type StoreChannel = ReturnType<typeof storeChannel>
