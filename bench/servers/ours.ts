import Fastify from 'fastify'
import googleOAuth from 'fastify-google-oauth'
import { redisStore as pluginRedisStore } from 'fastify-google-oauth/redis'
import { DEFAULT_CLIENT, signInAs, startFakeGoogle } from 'fastify-google-oauth/testing'
import { createIdTokenVerifier } from '../../src/google/verify-id-token.js'
import { median } from '../stats.js'
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
  /** CPU µs per call of `once`, called `n` times one after the other. */
  const cpu = async (n: number, once: (i: number) => Promise<unknown>, before = process.cpuUsage()): Promise<number> => {
    for (let i = 0; i < n; i++) await once(i)
    const used = process.cpuUsage(before)
    return (used.user + used.system) / n
  }
  const cpuPerRequest = (tokens: string[]) => cpu(tokens.length, async (i) => {
    if ((await app.inject({ url: '/me', headers: { authorization: `Bearer ${tokens[i]!}` } })).statusCode !== 200) throw new Error('a token was refused')
  })
  return {
    app,
    header: variant === 'bearer' ? 'authorization' : 'cookie',
    signIn: async () => variant === 'bearer'
      ? `Bearer ${google.idTokenFor('ada@example.com')}`
      : (await signInAs(app, google, 'ada@example.com')).cookie.split('; ').find((pair) => pair.startsWith('goauth.sid='))!,
    ...(variant === 'bearer' && {
      // The verifier alone on one token (it caches nothing), then a request with a new token against one with a
      // cached token, through app.inject; keys cached; 7 interleaved rounds, medians of the last 5.
      async probe () {
        const fresh = Array.from({ length: 700 }, () => google.idTokenFor('ada@example.com'))
        const verifier = createIdTokenVerifier({ jwksUrl: google.endpoints.jwks, timeout: 4_000, clientId: DEFAULT_CLIENT.clientId, now: Date.now })
        const verifyCpu = (n: number) => cpu(n, () => verifier.verify(fresh[0]!, { nonce: null, accessToken: null }))
        const rounds: number[][] = [] // the first two warm up
        for (let round = 0; round < 7; round++) rounds.push([await verifyCpu(1000), await cpuPerRequest(fresh.slice(round * 100, round * 100 + 100)), await cpuPerRequest(Array(200).fill(fresh[0]))])
        const [v, c, w] = [0, 1, 2].map((i) => median(rounds.slice(2).map((each) => each[i]!)))
        return `Bearer: verifying a new ID token costs ${v!.toFixed(0)} µs of CPU (the plugin's verifier, Google's keys cached; goal ≤ 100 µs). Through app.inject, a request with a new token costs ${c!.toFixed(0)} µs, one with a cached token ${w!.toFixed(0)} µs (medians of 5 interleaved rounds, in a process of its own).`
      }
    }),
    close: async () => { await google.close(); await redis?.close() }
  }
}
