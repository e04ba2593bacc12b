// Compiled by types.test.ts against the built package, as a user's app would be.
import Fastify, { type FastifyRequest } from 'fastify'
import type { OAuth2Client } from 'google-auth-library'
import googleOAuth, { errors, googleOAuth as named, type GoogleOAuthOptions, type GoogleUser } from 'fastify-google-oauth'
import { startFakeGoogle, type FakeGoogle } from 'fastify-google-oauth/testing'

declare module 'fastify-google-oauth' {
  interface GoogleUser {
    role?: 'admin' | 'member'
  }
}

export async function main (): Promise<void> {
  const google: FakeGoogle = await startFakeGoogle()
  const app = Fastify()
  const options: GoogleOAuthOptions = {
    clientId: 'id',
    clientSecret: 'secret',
    callbackUrl: 'http://localhost:3000/oauth2/google/callback',
    secret: ['a'.repeat(32), 'b'.repeat(32)],
    endpoints: google.endpoints
  }
  await app.register(googleOAuth, options)
  // The named export is the same plugin (another app here: one registration per app).
  const other = Fastify()
  await other.register(named, { ...options, prefix: '/auth', callbackUrl: 'http://localhost:3000/auth/oauth2/google/callback' })
  const start: string = other.googleOAuth.routes.start
  void start

  app.get('/me', { preHandler: app.authenticate }, async (request: FastifyRequest) => {
    const user: GoogleUser | null = request.googleUser
    // @ts-expect-error googleUser may be null: it must be checked first
    const unchecked: string = request.googleUser.id
    if (user === null) return { unchecked }
    const id: string = user.id
    const email: string | null = user.email
    const verified: boolean = user.emailVerified
    const role: 'admin' | 'member' | undefined = user.role
    const client: OAuth2Client | null = request.googleAuth
    // @ts-expect-error googleAuth may be null too
    void request.googleAuth.request
    // @ts-expect-error emailVerified is a boolean, not a string
    const wrong: string = user.emailVerified
    return { id, email, verified, role, wrong, client: client !== null }
  })

  // @ts-expect-error callbackUrl is required
  const missing: GoogleOAuthOptions = { clientId: 'id', clientSecret: 's', secret: 'x' }
  // @ts-expect-error accessType only takes 'online' or 'offline'
  const badAccess: GoogleOAuthOptions = { ...options, accessType: 'always' }
  const code: string = new errors.STATE_MISMATCH().code
  void missing
  void badAccess
  void code
  await google.close()
}
