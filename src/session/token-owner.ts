import type { GoogleTokens } from '../types.js'
import type { SessionBackend } from './backend.js'
import { deepFreeze } from './deep-freeze.js'
import type { SessionRecord } from './record.js'
import type { TokenOwner } from './sessions.js'

/** A session read for a request: its id and record (replaced, never changed, when it is written). */
export interface LoadedSession {
  id: string
  record: SessionRecord
}

/**
 * Who a session's Google client reports refreshed tokens to: writes go through the backend's
 * checked update, and the request's copy of the record follows what was written.
 */
export function tokenOwner (records: SessionBackend, session: LoadedSession): TokenOwner {
  const { id } = session
  const userId = session.record.googleUser.id
  return {
    // Read, check, write: never revives a session that ended or changed hands meanwhile, and a
    // refresh never overwrites tokens newer than those it replaced.
    async save (tokens: GoogleTokens, replacing?: GoogleTokens) {
      const written = await records.update(id, (current) => current.googleUser.id === userId &&
        (replacing === undefined || current.googleTokens?.accessToken === replacing.accessToken)
        ? { ...current, googleTokens: tokens }
        : null)
      if (written !== null) session.record = deepFreeze(written)
      return written !== null
    },
    ...(records.refreshOnce !== undefined && {
      refreshOnce: (previous: GoogleTokens, refresh: () => Promise<GoogleTokens>) => records.refreshOnce!(id, previous, refresh)
    }),
    adopt (tokens: GoogleTokens) { session.record = deepFreeze({ ...session.record, googleTokens: tokens }) },
    end: () => records.end(id)
  }
}
