import { randomToken } from '../crypto.js'
import type { Timers } from '../deadline.js'
import { pluginError } from '../errors.js'
import type { SessionRecord } from '../session/record.js'
import type { GoogleTokens } from '../types.js'
import type { BoundedCall } from './calls.js'
import type { StoreClient } from './client.js'
import type { KeyLayout } from './keys.js'
import type { Versioned } from './near-cache.js'
import type { Scripts } from './scripts.js'

/** How long an instance waiting for another's refresh waits for word of it before it reads again (ms). */
const WAIT_STEP = 250

/**
 * Who waits for a session to change: the invalidation messages (any write, on any instance) wake
 * them.
 */
export function sessionChanges (clock: Timers) {
  const waiters = new Map<string, Set<() => void>>()
  return {
    /** The sessions changed: every wait for them ends. */
    changed (ids: readonly string[]): void {
      for (const id of ids) for (const wake of waiters.get(id) ?? []) wake()
    },
    /** Resolves when the session is invalidated (another instance wrote it), or after `ms`. */
    next: (id: string, ms: number): Promise<void> => new Promise((resolve) => {
      const set = waiters.get(id) ?? new Set()
      waiters.set(id, set)
      const wake = (): void => {
        clock.clearTimeout(timer)
        set.delete(wake)
        if (set.size === 0) waiters.delete(id)
        resolve()
      }
      set.add(wake)
      const timer = clock.setTimeout(wake, ms)
    })
  }
}

export type SessionChanges = ReturnType<typeof sessionChanges>

export interface RefreshLockOptions {
  client: StoreClient
  keys: KeyLayout
  scripts: Scripts
  call: BoundedCall
  changes: SessionChanges
  /** The session as Redis has it now. */
  readFresh: (id: string) => Promise<Versioned<SessionRecord> | null>
  /** Where this process notes the lock it holds for a session: its writes are fenced by it. */
  holding: Map<string, string>
  /** How long a lock is held: longer than a refresh can take. */
  lockMs: number
  now: () => number
}

/** The session's tokens if another instance replaced them; REAUTH_REQUIRED if the session is gone meanwhile. */
const changedTokens = (now: Versioned<SessionRecord> | null, previous: GoogleTokens): GoogleTokens | null => {
  if (now === null) throw pluginError('REAUTH_REQUIRED', 'refresh:session-ended')
  const tokens = now.value.googleTokens
  return tokens !== null && tokens.accessToken !== previous.accessToken ? tokens : null
}

/**
 * One token refresh per session across instances: the instance that takes the session's lock
 * (`SET NX` with a lifetime) refreshes, its writes fenced by the lock; the others wait for its
 * tokens (woken by the invalidation of its write) or for the lock to go, up to the lock's lifetime.
 */
export function refreshLock (options: RefreshLockOptions) {
  const { client, keys, scripts, call, holding, lockMs } = options
  return async function refreshOnce (id: string, previous: GoogleTokens, refresh: () => Promise<GoogleTokens>): Promise<GoogleTokens> {
    const deadline = options.now() + lockMs
    while (options.now() < deadline) {
      const holder = randomToken(16)
      if (await call('lock', () => client.setIfAbsent(keys.lock(id), holder, lockMs))) {
        holding.set(id, holder)
        try {
          // Another instance may have refreshed (or signed the session out) between this one's read and its lock.
          return changedTokens(await options.readFresh(id), previous) ?? await refresh()
        } finally {
          holding.delete(id)
          await call('unlock', () => scripts.unlock([keys.lock(id)], [holder])).catch(() => {})
        }
      }
      // Another instance is refreshing: wait for its tokens (or for its lock to go).
      await options.changes.next(id, WAIT_STEP)
      const changed = changedTokens(await options.readFresh(id), previous)
      if (changed !== null) return changed
    }
    throw pluginError('GOOGLE_TIMEOUT', 'refresh:lock-wait')
  }
}
