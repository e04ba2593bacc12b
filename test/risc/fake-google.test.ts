import { createPrivateKey, sign } from 'node:crypto'
import t from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import type { FakeServiceAccountKey } from '../../src/testing/index.js'
import { startApp } from '../fixtures/app.js'

/**
 * The fake Google's side of Cross-Account Protection: the RISC discovery document, and the RISC
 * API a service account registers a receiver with (`stream:update`), reads it back (`GET stream`)
 * and asks for a `verification` event (`stream:verify`), pushed over real HTTP to the app.
 */
const AUDIENCE = 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService'

/** A JWT the service account signs for the RISC API, as google-auth-library makes one. */
function serviceAccountJwt (key: FakeServiceAccountKey, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000)
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid: key.private_key_id })}.${part({ iss: key.client_email, sub: key.client_email, aud: AUDIENCE, iat: now, exp: now + 3600, ...claims })}`
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(key.private_key)).toString('base64url')}`
}

t.test('the RISC discovery document names the issuer (with its slash) and Google\'s key set', async (t) => {
  const app = await startApp(t)
  const document = await (await fetch(app.google.endpoints.riscConfiguration)).json() as Record<string, unknown>
  t.match(document, { issuer: 'https://accounts.google.com/', jwks_uri: app.google.endpoints.jwks, delivery_methods_supported: ['https://schemas.openid.net/secevent/risc/delivery-method/push'] })
})

t.test('a service account registers the app\'s receiver, reads it back, and verifies it', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { plugin: { risc: true, onEvent: (event) => { events.push(event) } } })
  const key = app.google.createServiceAccount()
  const api = app.google.apis.risc
  const call = async (path: string, body?: object, jwt = serviceAccountJwt(key)) => await fetch(`${api}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${jwt}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) })
  })
  t.equal((await call('')).status, 404, 'no stream yet')
  const url = `${app.url}/oauth2/google/risc`
  const eventsRequested = ['https://schemas.openid.net/secevent/risc/event-type/sessions-revoked', 'https://schemas.openid.net/secevent/risc/event-type/verification']
  const update = await call(':update', { delivery: { delivery_method: 'https://schemas.openid.net/secevent/risc/delivery-method/push', url }, events_requested: eventsRequested })
  t.equal(update.status, 200)
  t.same(app.google.riscStream, { url, eventsRequested, status: 'enabled' })
  t.match(await (await call('')).json(), { delivery: { url }, events_requested: eventsRequested })

  const verify = await call(':verify', { state: 'hello-42' })
  t.equal(verify.status, 200, 'the receiver answered 202')
  t.match(events.filter((event) => event.type === 'security-event'), [{ eventType: 'verification', state: 'hello-42' }])

  t.equal((await app.google.sendSecurityEvent({ type: 'account-credential-change-required', account: 'ada@example.com' })).status, 202, 'sendSecurityEvent goes to the registered receiver')

  t.equal((await call('/status:update', { status: 'disabled' })).status, 200)
  t.equal(app.google.riscStream?.status, 'disabled')
})

t.test('the RISC API refuses anything but a live JWT of a known service account for its audience', async (t) => {
  const app = await startApp(t)
  const key = app.google.createServiceAccount()
  const stranger = { ...key, private_key_id: 'unknown' }
  const get = async (authorization?: string) => (await fetch(app.google.apis.risc, { headers: authorization === undefined ? {} : { authorization } })).status
  t.equal(await get(), 401, 'no credentials')
  t.equal(await get(`Bearer ${serviceAccountJwt(key, { aud: 'https://oauth2.googleapis.com/token' })}`), 401, 'another audience')
  t.equal(await get(`Bearer ${serviceAccountJwt(key, { exp: 1 })}`), 401, 'expired')
  t.equal(await get(`Bearer ${serviceAccountJwt(stranger)}`), 401, 'an unknown key')
  t.equal(await get(`Bearer ${serviceAccountJwt(key, { iss: 'someone@else.example' })}`), 401, 'signed for another account')
  t.equal(await get(`Bearer ${serviceAccountJwt(key)}`), 404, 'the right one: no stream yet')
})

t.test('sendSecurityEvent without a receiver says how to register one', async (t) => {
  const app = await startApp(t)
  await t.rejects(app.google.sendSecurityEvent({ type: 'sessions-revoked', account: 'ada@example.com' }), /no receiver registered/)
  t.throws(() => app.google.securityEventToken({ type: 'sessions-revoked' }), /needs the account it is about/)
})
