import { createHash } from 'node:crypto'

/**
 * The Redis store's writes, each one Lua script run atomically by Redis. A session's keys and its
 * user's index share one hash tag (the first characters of the session id are a hash of the user
 * id), so each script touches one Redis Cluster slot. Keys, under the store's prefix `P`:
 *
 * - `P{tag}:s:<id>`: the session, a hash of `r` (the record, JSON) and `v` (its version);
 * - `P{tag}:e:<id>`: the tombstone a sign-out leaves, which every write checks;
 * - `P{tag}:u:<user id>`: the user's sessions, a sorted set scored by their expiry;
 * - `P{tag}:l:<id>`: the lock of a token refresh.
 *
 * Every change is published on the store's channel (session ids, space-separated) so that other
 * instances drop their cached copies.
 */

export interface Script {
  source: string
  sha: string
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') })

/**
 * A new session: written with version 1 and its expiry, added to its user's index (entries past
 * their expiry leave it), and the user's oldest sessions beyond the cap ended (their ids returned
 * and published).
 * KEYS: session, index. ARGV: record, expireAt (ms), now (ms), max per user, key base `P{tag}:`,
 * session id, tombstone lifetime (ms), channel.
 */
export const CREATE = script(`
local key, index = KEYS[1], KEYS[2]
local expireAt, now, max, base, id = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
redis.call('HSET', key, 'r', ARGV[1], 'v', '1')
redis.call('PEXPIREAT', key, expireAt)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
redis.call('ZADD', index, expireAt, id)
local ended = {}
local count = redis.call('ZCARD', index)
if count > max then
  for _, old in ipairs(redis.call('ZRANGE', index, 0, count - max - 1)) do
    redis.call('DEL', base .. 's:' .. old)
    redis.call('SET', base .. 'e:' .. old, '1', 'PX', ARGV[7])
    redis.call('ZREM', index, old)
    table.insert(ended, old)
  end
end
local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', index, last[2])
if #ended > 0 then redis.call('PUBLISH', ARGV[8], table.concat(ended, ' ')) end
return ended
`)

/**
 * A change to a live session, if its version is still the one the change was made from: never
 * recreates a session that is gone, never writes over a session that ended (its tombstone), never
 * writes over a newer version. Returns {1, new version}, {0} (gone or ended), or {2, version,
 * record} (changed meanwhile: the change is to be made again from that record).
 * KEYS: session, tombstone. ARGV: expected version, record, channel, session id.
 */
export const UPDATE = script(`
if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
local current = redis.call('HMGET', KEYS[1], 'v', 'r')
if not current[1] then return {0} end
if current[1] ~= ARGV[1] then return {2, current[1], current[2]} end
local version = tostring(tonumber(current[1]) + 1)
redis.call('HSET', KEYS[1], 'r', ARGV[2], 'v', version)
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, version}
`)

/**
 * Ends a session: removed, a tombstone left for the writes still in flight, out of its user's
 * index, published. Returns 1 if it existed.
 * KEYS: session, tombstone. ARGV: tombstone lifetime (ms), channel, session id, key base `P{tag}:`.
 */
export const END = script(`
local record = redis.call('HGET', KEYS[1], 'r')
local existed = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
if record then
  local ok, decoded = pcall(cjson.decode, record)
  if ok and type(decoded) == 'table' and type(decoded.googleUser) == 'table' and type(decoded.googleUser.id) == 'string' then
    redis.call('ZREM', ARGV[4] .. 'u:' .. decoded.googleUser.id, ARGV[3])
  end
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return existed
`)

/**
 * Ends every session of a user (its index), each with a tombstone; returns how many existed.
 * KEYS: index. ARGV: key base `P{tag}:`, tombstone lifetime (ms), channel.
 */
export const END_ALL = script(`
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local ended = 0
for _, id in ipairs(ids) do
  ended = ended + redis.call('DEL', ARGV[1] .. 's:' .. id)
  redis.call('SET', ARGV[1] .. 'e:' .. id, '1', 'PX', ARGV[2])
end
redis.call('DEL', KEYS[1])
if #ids > 0 then redis.call('PUBLISH', ARGV[3], table.concat(ids, ' ')) end
return ended
`)

/** Releases a lock if this holder still has it. KEYS: lock. ARGV: holder's token. */
export const UNLOCK = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)
