import { sha256 } from '../crypto.js'

/** Characters of a session id that name its user's hash tag. */
const TAG_LENGTH = 8

/** The hash tag of a user's keys: the first characters of a hash of the user id (no id in clear). */
const tagOf = (userId: string): string => sha256(userId).slice(0, TAG_LENGTH)

/**
 * Where the store keeps things, all under `prefix`. A session id starts with its user's hash tag,
 * so a session, its tombstone, its lock and its user's index share one `{tag}`: one cluster slot,
 * and every script touches keys of one slot only.
 */
export function keyLayout (prefix: string) {
  const base = (id: string): string => `${prefix}{${id.slice(0, TAG_LENGTH)}}:`
  return {
    tagOf,
    base,
    userBase: (userId: string): string => `${prefix}{${tagOf(userId)}}:`,
    session: (id: string) => `${base(id)}s:${id}`,
    tombstone: (id: string) => `${base(id)}e:${id}`,
    lock: (id: string) => `${base(id)}l:${id}`,
    index: (userId: string) => `${prefix}{${tagOf(userId)}}:u:${userId}`,
    /** When the user was last revoked (epoch ms). */
    revoked: (userId: string) => `${prefix}{${tagOf(userId)}}:r:${userId}`,
    /** A security event's id, seen (Cross-Account Protection); hashed: it comes from outside. */
    mark: (key: string) => `${prefix}m:${sha256(key)}`,
    /** A flag of a user (an account Google disabled). */
    flag: (userId: string, flag: string) => `${prefix}{${tagOf(userId)}}:f:${flag}:${userId}`,
    /** The pub/sub channel of invalidations. */
    channel: `${prefix}invalidate`,
    /** The instances listening on the channel (see `channel.ts`). */
    instances: `${prefix}instances`
  }
}

export type KeyLayout = ReturnType<typeof keyLayout>
