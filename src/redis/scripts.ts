import type { Script, StoreClient } from './client.js'

/**
 * The Redis store's writes, each one Lua script run atomically by Redis. A session's keys and its
 * user's index share one hash tag (the first characters of the session id are a hash of the user
 * id), so each script touches one Redis Cluster slot. Keys, under the store's prefix `P`:
 *
 * - `P{tag}:s:<id>`: the session, a hash of `r` (the record, JSON) and `v` (its version);
 * - `P{tag}:e:<id>`: the tombstone a sign-out leaves, which every write checks;
 * - `P{tag}:u:<user id>`: the user's sessions, a sorted set scored by their expiry;
 * - `P{tag}:l:<id>`: the lock of a token refresh;
 * - `P{tag}:r:<user id>`: when the user was last revoked (epoch ms), kept for a day and more;
 * - `Pinstances`: the store instances listening on the channel, a sorted set scored by when each
 *   entry lapses (Redis's own time), kept by each instance's heartbeat.
 *
 * Every change is published on the store's channel (see `channel.ts`) so that other instances drop
 * their cached copies.
 */

/**
 * A new session, unless its user was revoked since the admission that made it began: written with
 * version 1 and its expiry, added to its user's index (entries past their expiry leave it), and the
 * user's oldest sessions beyond the cap ended (their ids published). Returns {0} (refused: revoked
 * since), or {1, ids ended...}.
 * KEYS: session, index, user's revocation. ARGV: record, expireAt (ms), now (ms), max per user, key
 * base `P{tag}:`, session id, tombstone lifetime (ms), channel, admission's start (ms).
 */
const CREATE = `
local key, index = KEYS[1], KEYS[2]
local revoked = tonumber(redis.call('GET', KEYS[3]) or '0')
if revoked > 0 and revoked >= tonumber(ARGV[9]) then return {0} end
local expireAt, now, max, base, id = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
redis.call('HSET', key, 'r', ARGV[1], 'v', '1')
redis.call('PEXPIREAT', key, expireAt)
redis.call('ZREMRANGEBYSCORE', index, '-inf', now)
redis.call('ZADD', index, expireAt, id)
local result = {1}
local count = redis.call('ZCARD', index)
if count > max then
  for _, old in ipairs(redis.call('ZRANGE', index, 0, count - max - 1)) do
    redis.call('DEL', base .. 's:' .. old)
    redis.call('SET', base .. 'e:' .. old, '1', 'PX', ARGV[7])
    redis.call('ZREM', index, old)
    table.insert(result, old)
  end
end
local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', index, last[2])
if #result > 1 then
  local ended = {}
  for i = 2, #result do ended[i - 1] = result[i] end
  redis.call('PUBLISH', ARGV[8], cjson.encode({s = ended}))
end
return result
`

/**
 * A change to a live session, if its version is still the one the change was made from: never
 * recreates a session that is gone, never writes over a session that ended (its tombstone), never
 * writes over a newer version, and, made under a refresh's lock, never once the lock is another's.
 * Returns {1, new version}, {0} (gone or ended), {2, version, record} (changed meanwhile: the
 * change is to be made again from that record), or {3} (the lock lapsed).
 * KEYS: session, tombstone, lock. ARGV: expected version, record, channel, message, lock holder
 * (empty: none).
 */
const UPDATE = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {0} end
if ARGV[5] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[5] then return {3} end
local current = redis.call('HMGET', KEYS[1], 'v', 'r')
if not current[1] then return {0} end
if current[1] ~= ARGV[1] then return {2, current[1], current[2]} end
local version = tostring(tonumber(current[1]) + 1)
redis.call('HSET', KEYS[1], 'r', ARGV[2], 'v', version)
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, version}
`

/**
 * Ends a session: removed, a tombstone left for the writes still in flight, out of its user's
 * index, published. Returns 1 if it existed, else 0.
 * KEYS: session, tombstone. ARGV: tombstone lifetime (ms), channel, session id, key base `P{tag}:`,
 * message.
 */
const END = `
local record = redis.call('HGET', KEYS[1], 'r')
local existed = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
if record then
  local ok, decoded = pcall(cjson.decode, record)
  if ok and type(decoded) == 'table' and type(decoded.googleUser) == 'table' and type(decoded.googleUser.id) == 'string' then
    redis.call('ZREM', ARGV[4] .. 'u:' .. decoded.googleUser.id, ARGV[3])
  end
end
redis.call('PUBLISH', ARGV[2], ARGV[5])
return existed
`

/**
 * Revokes a user: the revocation time (the later of the one stored and now) kept for the
 * revocation's lifetime, every session of the user's index ended, each with a tombstone, and one
 * message naming the user, the time and the sessions. Returns {sessions that existed, time}.
 * KEYS: index, revocation. ARGV: key base `P{tag}:`, tombstone lifetime (ms), channel, now (ms),
 * revocation lifetime (ms), user id, sender, confirmation.
 */
const REVOKE = `
local at = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[4]))
redis.call('SET', KEYS[2], string.format('%d', at), 'PX', ARGV[5])
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local ended = 0
for _, id in ipairs(ids) do
  ended = ended + redis.call('DEL', ARGV[1] .. 's:' .. id)
  redis.call('SET', ARGV[1] .. 'e:' .. id, '1', 'PX', ARGV[2])
end
redis.call('DEL', KEYS[1])
local message = cjson.encode({s = ids, u = ARGV[6], t = at, o = ARGV[7], a = ARGV[8]})
redis.call('PUBLISH', ARGV[3], message)
return {ended, string.format('%d', at)}
`

/** Releases a lock if this holder still has it. KEYS: lock. ARGV: holder's token. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

/** Redis's time in ms (scripts that read it before writing need effects replication, the default since Redis 5). */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`

/**
 * An instance's heartbeat: it is listed until `ttl` ms from now (Redis's time); lapsed entries
 * leave. KEYS: registry. ARGV: instance, ttl (ms).
 */
const BEAT = NOW + `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`

/** The instances whose heartbeat has not lapsed. KEYS: registry. */
const INSTANCES = NOW + `
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
`

/** How many keys each script takes (the rest of its arguments are ARGV), and its source. */
const SCRIPTS = {
  create: { keys: 3, lua: CREATE },
  update: { keys: 3, lua: UPDATE },
  end: { keys: 2, lua: END },
  revoke: { keys: 2, lua: REVOKE },
  unlock: { keys: 1, lua: UNLOCK },
  beat: { keys: 1, lua: BEAT },
  instances: { keys: 1, lua: INSTANCES }
} as const

export type Scripts = Record<keyof typeof SCRIPTS, Script>

/**
 * The scripts on the app's client. With ioredis they are commands of the client (`defineCommand`,
 * named `fastifyGoogleOAuth` + the script's name, e.g. `fastifyGoogleOAuthCreate`); both clients
 * run each by its digest and send its source when Redis does not know it (a restart, a failover,
 * `SCRIPT FLUSH`); on a cluster, to the node of its keys' slot.
 */
export function defineScripts (client: StoreClient): Scripts {
  const define = (name: keyof typeof SCRIPTS): Script =>
    client.script(`fastifyGoogleOAuth${name[0]!.toUpperCase()}${name.slice(1)}`, SCRIPTS[name].keys, SCRIPTS[name].lua)
  return {
    create: define('create'),
    update: define('update'),
    end: define('end'),
    revoke: define('revoke'),
    unlock: define('unlock'),
    beat: define('beat'),
    instances: define('instances')
  }
}
