import Fastify from 'fastify'
import googleOAuth from 'fastify-google-oauth'
import { redisStore as pluginRedisStore } from 'fastify-google-oauth/redis'
import { DEFAULT_CLIENT, signInAs, startFakeGoogle } from 'fastify-google-oauth/testing'
import type { Build } from './configs.js'
import { redisStore } from './shared.js'

/** This plugin on a fake Google in this process; `memory`: the default store, `redis`: a RedisStore, `redis-store`: its own, `bearer`: ID tokens. */
export const build: Build = async (variant, redisPrefix) => {
  const callbackUrl = 'http://localhost/oauth2/google/callback'
  const google = await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
  const redis = variant === 'redis' || variant === 'redis-store' ? await redisStore(redisPrefix) : null
  const app = Fastify()
  await app.register(googleOAuth, {
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    callbackUrl,
    secret: 'a-benchmark-session-secret-of-at-least-32-chars',
    endpoints: google.endpoints,
    bearer: variant === 'bearer',
    ...(redis !== null && { store: variant === 'redis' ? redis.store as never : pluginRedisStore(redis.client, { prefix: redisPrefix }) })
  })
  app.get('/me', { preHandler: [app.authenticate] }, async (request) => request.googleUser)
  /** CPU µs per request with these Bearer tokens, one after the other, through app.inject. */
  const cpuPerRequest = async (tokens: string[], before = process.cpuUsage()): Promise<number> => {
    for (const token of tokens) if ((await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })).statusCode !== 200) throw new Error('a token was refused')
    const used = process.cpuUsage(before)
    return (used.user + used.system) / tokens.length
  }
  return {
    app,
    header: variant === 'bearer' ? 'authorization' : 'cookie',
    // The session cookie alone, as a browser on this path would hold nothing else of ours; or a Bearer token.
    signIn: async () => variant === 'bearer'
      ? `Bearer ${google.idTokenFor('ada@example.com')}`
      : (await signInAs(app, google, 'ada@example.com')).cookie.split('; ').find((pair) => pair.startsWith('goauth.sid='))!,
    ...(variant === 'bearer' && {
      // A new token each request (verified: signature, claims, cache entry) against one token again (a lookup); keys cached.
      async probe () {
        const fresh = Array.from({ length: 400 }, () => google.idTokenFor('ada@example.com'))
        await cpuPerRequest(fresh.slice(0, 100))
        const [cold, warm] = [await cpuPerRequest(fresh.slice(100)), await cpuPerRequest(Array(300).fill(fresh[0]))]
        return `Bearer: a request with a new ID token (verified, Google's keys cached) costs ${cold.toFixed(0)} µs of CPU through app.inject, one with a cached token ${warm.toFixed(0)} µs: one cold verification ≈ ${(cold - warm).toFixed(0)} µs (goal ≤ 100 µs; 300 tokens each, in the server process before the runs).`
      }
    }),
    close: async () => { await google.close(); await redis?.close() }
  }
}
