import Fastify from 'fastify'
import googleOAuth from 'fastify-google-oauth'
import { DEFAULT_CLIENT, signInAs, startFakeGoogle } from 'fastify-google-oauth/testing'
import type { Build } from './configs.js'
import { redisStore } from './shared.js'

/** This plugin on a fake Google started in this process; `memory`: the default store, `redis`: a RedisStore. */
export const build: Build = async (variant, redisPrefix) => {
  const callbackUrl = 'http://localhost/oauth2/google/callback'
  const google = await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
  const redis = variant === 'redis' ? await redisStore(redisPrefix) : null
  const app = Fastify()
  await app.register(googleOAuth, {
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: DEFAULT_CLIENT.clientSecret,
    callbackUrl,
    secret: 'a-benchmark-session-secret-of-at-least-32-chars',
    endpoints: google.endpoints,
    ...(redis !== null && { store: redis.store as never })
  })
  app.get('/me', { preHandler: [app.authenticate] }, async (request) => request.googleUser)
  return {
    app,
    // The session cookie alone, as a browser on this path would hold nothing else of ours.
    signIn: async () => (await signInAs(app, google, 'ada@example.com')).cookie.split('; ').find((pair) => pair.startsWith('goauth.sid='))!,
    async close () {
      await google.close()
      await redis?.close()
    }
  }
}
