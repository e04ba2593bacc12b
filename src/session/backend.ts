import { randomToken } from '../crypto.js'
import type { Clock, SessionStoreLike } from '../options.js'
import type { GoogleTokens } from '../types.js'
import { BoundedMemoryStore } from './memory-store.js'
import { sessionRecords, type SessionRecords } from './records.js'
import { storeCalls } from './store.js'

/**
 * What the plugin's own sessions need from where they are kept. Any @fastify/session store gives
 * the generic backend (get/set/destroy, with tombstones when shared); a store made for the plugin
 * (`fastify-google-oauth/redis`) gives its own, with atomic writes, an index of sessions by user,
 * and one token refresh across instances.
 */
export interface SessionBackend extends SessionRecords {
  /** Reads a session: a record, or null when there is none; an error when the store failed. */
  read (id: string, callback: (error: unknown, value: unknown) => void): void
  /** A new session id for a user (some backends keep a user's sessions together). */
  newId (userId: string): string
  /** Ends every session of a user and returns how many; absent without an index of sessions by user. */
  endAllOf?: (userId: string) => Promise<number>
  /**
   * Makes the instances sharing the store refresh a session's tokens once: runs `refresh` (which
   * saves its result) while holding the session's lock, or waits for the instance holding it and
   * returns the tokens it saved. Absent: each process refreshes on its own.
   */
  refreshOnce?: (id: string, previous: GoogleTokens, refresh: () => Promise<GoogleTokens>) => Promise<GoogleTokens>
  /** Stops what it runs in the background (subscriptions); the store's connection is the app's. */
  close?: () => Promise<void>
}

/** What a backend is built with. */
export interface BackendSettings {
  /** Bound of one store call (ms). */
  timeout: number
  clock: Clock
  /** Most sessions one user may hold, where the backend can cap them. */
  maxSessionsPerUser: number
}

/** A store that brings its own backend (the plugin's Redis store). */
export const kSessionBackend: unique symbol = Symbol.for('fastify-google-oauth.sessionBackend')

export interface StoreWithBackend {
  [kSessionBackend]: (settings: BackendSettings) => SessionBackend
}

export const hasOwnBackend = (store: object): store is StoreWithBackend =>
  typeof (store as Partial<StoreWithBackend>)[kSessionBackend] === 'function'

/** The backend over a @fastify/session store's get/set/destroy (or the default in-memory store). */
export function genericBackend (store: SessionStoreLike, settings: BackendSettings): SessionBackend {
  const calls = storeCalls(store, settings.timeout, settings.clock)
  // A store in this process's memory is not shared: this process's own memory of ended sessions suffices.
  const shared = !(store instanceof BoundedMemoryStore)
  const records = sessionRecords(calls, { shared, timeout: settings.timeout, clock: settings.clock })
  return {
    ...records,
    read: calls.getWithCallback,
    newId: () => randomToken(24),
    ...(store instanceof BoundedMemoryStore && {
      async endAllOf (userId: string): Promise<number> {
        const ids = store.sessionsOf(userId)
        for (const id of ids) await records.end(id)
        return ids.length
      }
    })
  }
}
