import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { GoogleTokens } from 'fastify-google-oauth'
import { DEFAULT_ACCOUNTS, googleUserOf } from 'fastify-google-oauth/testing'
import { RedisStore } from 'fastify-session-redis-store'
import { Redis } from 'ioredis'
import { REDIS } from './configs.js'

/** What every server answers: the user our plugin would give for the fake Google's first account. */
export const USER = googleUserOf(DEFAULT_ACCOUNTS[0]!)

/** Tokens of the size Google sends, for the other libraries' sessions to hold what ours hold. */
export const TOKENS: GoogleTokens = {
  accessToken: `ya29.${randomBytes(120).toString('base64url')}`,
  refreshToken: null,
  idToken: `${randomBytes(75).toString('base64url')}.${randomBytes(560).toString('base64url')}.${randomBytes(256).toString('base64url')}`,
  expiresAt: Date.now() + 3_600_000,
  scope: 'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'
}

/** Our guard's 401 body, sent by every other guard too. */
export const UNAUTHENTICATED = JSON.stringify({ statusCode: 401, code: 'FST_GOOGLE_OAUTH_UNAUTHENTICATED', error: 'Unauthorized', message: 'Sign-in required.', loginUrl: '/login' })

/** GET /me behind `isSignedIn`: the user JSON, else our 401 body. */
export function guardedMe (app: FastifyInstance, isSignedIn: (request: FastifyRequest) => boolean, user: (request: FastifyRequest) => unknown): void {
  app.get('/me', {
    preHandler (request, reply, done) {
      reply.header('cache-control', 'no-store')
      if (isSignedIn(request)) done()
      else reply.code(401).header('content-type', 'application/json; charset=utf-8').send(UNAUTHENTICATED)
    }
  }, async (request) => user(request))
}

/** A setup-only POST /__bench/login that signs the caller in; returns how to get its `name=value` cookie. */
export function setupLogin (app: FastifyInstance, cookieName: string, login: (request: FastifyRequest) => void | Promise<void>): () => Promise<string> {
  app.post('/__bench/login', async (request) => { await login(request); return { signedIn: true } })
  return async () => {
    const reply = await app.inject({ method: 'POST', url: '/__bench/login' })
    // The raw `name=value`, as a browser sends it back (not decoded).
    const pair = ([] as string[]).concat(reply.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]!).find((p) => p.startsWith(`${cookieName}=`))
    if (reply.statusCode !== 200 || pair === undefined) throw new Error(`setup login answered ${reply.statusCode} without a ${cookieName} cookie`)
    return pair
  }
}

/** A RedisStore under this run's prefix; `close()` deletes its keys. */
export async function redisStore (prefix: string): Promise<{ store: RedisStore, client: Redis, close: () => Promise<void> }> {
  const client = new Redis({ ...REDIS, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  for (let i = 0; i < 100 && client.status !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  if (client.status !== 'ready') throw new Error(`Redis at ${REDIS.host}:${REDIS.port} is not reachable`)
  return { store: new RedisStore({ client, prefix }), client, close: async () => { await deleteKeys(client, prefix); client.disconnect() } }
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteKeys (client: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    cursor = next
    if (keys.length > 0) await client.del(...keys)
  } while (cursor !== '0')
}
