import Fastify, { type FastifyInstance } from 'fastify'
import googleOAuth, { logSerializers } from 'fastify-google-oauth'
import { DEFAULT_CLIENT, startFakeGoogle, type FakeGoogle } from 'fastify-google-oauth/testing'
import type { ExampleConfig } from './config.js'
import { homePage, profilePage } from './pages.js'

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export interface Example {
  app: FastifyInstance
  /** The local fake Google, when no real credentials were given. */
  fakeGoogle: FakeGoogle | null
  callbackUrl: string
}

/** Builds the example app: a public home page, a protected profile page and a protected JSON API. */
export async function buildExample (config: ExampleConfig, logger: boolean = true): Promise<Example> {
  const callbackUrl = `${config.publicUrl}/oauth2/google/callback`
  const fakeGoogle = config.google === null
    ? await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
    : null

  const app = Fastify({ logger: logger && { serializers: logSerializers } })
  app.addHook('onClose', async () => { await fakeGoogle?.close() })

  await app.register(googleOAuth, {
    ...(fakeGoogle === null
      ? config.google
      : { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, endpoints: fakeGoogle.endpoints }),
    callbackUrl,
    secret: config.sessionSecret
  })

  const provider = fakeGoogle === null ? 'Google' : `the local fake Google at ${fakeGoogle.url} (no real Google account needed)`
  app.get('/', async (request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(homePage(request.googleUser, provider)))

  app.get('/profile', { preHandler: app.authenticate }, async (request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(profilePage(request.googleUser!)))

  app.get('/api/me', { preHandler: app.authenticate }, async (request) => request.googleUser)

  return { app, fakeGoogle, callbackUrl }
}
