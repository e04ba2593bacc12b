import type { ResolvedOptions } from '../options/resolved.js'
import { invalid } from '../options/checks.js'
import type { AccountMarks } from '../session/backend.js'
import type { Sessions } from '../session/sessions.js'
import type { Emit } from '../events.js'
import { createSecurityActions, type SecurityActions } from './actions.js'
import { riscDiscovery, type RiscConfiguration } from './discovery.js'

/** Cross-Account Protection's receiver: what the route checks tokens against, and what it does with them. */
export interface SecurityEventReceiver {
  /** The RISC configuration (issuer, keys), read from Google's discovery document. */
  configuration: () => Promise<RiscConfiguration>
  /** The `aud` values accepted: `clientId` and `risc.audiences`. */
  audiences: readonly string[]
  actions: SecurityActions
}

export interface ReceiverOptions {
  options: ResolvedOptions
  marks: AccountMarks
  signOutEverywhere: (userId: string) => Promise<number>
  emit: Emit
}

/**
 * Where the `risc` option keeps what it must (events acted on, disabled accounts): the session
 * store's marks; null when the option is off. The app's own @fastify/session has no sessions the
 * plugin can end by user: refused at startup.
 */
export function riscMarks (options: ResolvedOptions, sessions: Sessions): AccountMarks | null {
  if (options.risc === null) return null
  if (sessions.marks === undefined) {
    throw invalid('options.risc needs sessions the plugin can end by user (signOutEverywhere), which the app\'s own @fastify/session does not give. Leave risc out, or let the plugin keep its own sessions (remove @fastify/session, and give a shared store with the store option).')
  }
  return sessions.marks
}

/** Builds the receiver of the `risc` option, or null when it is off. */
export function createReceiver ({ options, marks, signOutEverywhere, emit }: ReceiverOptions): SecurityEventReceiver | null {
  if (options.risc === null) return null
  return {
    configuration: riscDiscovery({ url: options.endpoints.riscConfiguration, timeout: options.googleTimeout, now: options.clock.now, clock: options.clock }),
    audiences: options.risc.audiences,
    actions: createSecurityActions({ settings: options.risc, marks, signOutEverywhere, emit })
  }
}

export type { OnSecurityEvent, RiscOptions, SecurityEvent, SecurityEventDecision, SecurityEventType } from './types.js'
