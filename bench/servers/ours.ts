import { createServer } from 'node:net'
import Fastify from 'fastify'
import googleOAuth, { type GoogleOAuthOptions } from 'fastify-google-oauth'
import { startFakeGoogle } from 'fastify-google-oauth/testing'
import { signIn } from '../http-client.js'
import { redisStore } from './redis.js'
import type { BuildContext, BuiltServer } from './types.js'

export const CLIENT_ID = 'bench-client.apps.googleusercontent.com'
export const CLIENT_SECRET = 'bench-client-secret'
export const SESSION_SECRET = 'a-benchmark-session-secret-of-at-least-32-chars'
/** The plugin's session cookie name on plain http. */
export const COOKIE_NAME = 'goauth.sid'

/** A port that was free a moment ago (the callback URL must be known before the app listens). */
export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

/**
 * Our plugin against a fake Google started in this process. `memory`: the default store;
 * `redis`: fastify-session-redis-store on ioredis. GET /me is guarded by `app.authenticate`.
 */
export async function build ({ variant, redisPrefix }: BuildContext): Promise<BuiltServer> {
  const port = await freePort()
  const callbackUrl = `http://127.0.0.1:${port}/oauth2/google/callback`
  const google = await startFakeGoogle({
    autoConsent: true,
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [callbackUrl] }]
  })
  const redis = variant === 'redis' ? await redisStore(redisPrefix) : null
  const options: GoogleOAuthOptions = {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    callbackUrl,
    secret: SESSION_SECRET,
    endpoints: google.endpoints,
    ...(redis !== null && { store: redis.store as unknown as NonNullable<GoogleOAuthOptions['store']> })
  }
  const app = Fastify()
  await app.register(googleOAuth, options)
  app.get('/me', { preHandler: app.authenticate }, async (request) => request.googleUser)
  return {
    app,
    port,
    signIn: (url) => signIn(url, COOKIE_NAME),
    async close () {
      await google.close()
      await redis?.close()
    }
  }
}
