import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { OAuth2Client } from 'google-auth-library'
import { DEFAULT_CLIENT, GOOGLE_ISSUER, startFakeGoogle, type FakeGoogle } from 'fastify-google-oauth/testing'
import { createIdTokenVerifier } from '../../src/google/verify-id-token.js'

/**
 * What verifying one ID token costs once the keys are cached: google-auth-library's
 * `OAuth2Client.verifyIdToken` against the fake Google's certs, and node:crypto's RS256
 * signature check alone (the floor), with a cached KeyObject and with the PEM text parsed each time,
 * jose's `jwtVerify`, and this plugin's own verifier (node:crypto on cached key objects).
 * Run with `npx tsx bench/extra/id-token.ts [--quick] [--json out.json]`.
 */

export interface Timing {
  iterations: number
  /** Wall time per token, µs. */
  usPerToken: number
  /** CPU time per token, µs. */
  cpuUsPerToken: number
}

export interface IdTokenResult {
  idTokenChars: number
  verifyIdToken: Timing
  cryptoVerifyKeyObject: Timing
  cryptoVerifyPem: Timing
  /** jose's `jwtVerify` with `createRemoteJWKSet` against the fake's JWKS (keys cached), when jose is installed. */
  joseJwtVerify: Timing | null
  /** RS256 signing with a 2048-bit key: what the fake Google spends on each ID token it issues. */
  cryptoSignRs256: Timing
  /** This plugin's verifier (what a new Bearer token or a sign-in costs), keys cached. */
  pluginVerify: Timing
}

/** An ID token from the fake's token endpoint, as a real sign-in gets it. */
async function idTokenFrom (google: FakeGoogle): Promise<string> {
  const redirectUri = DEFAULT_CLIENT.redirectUris[0]!
  const { code } = google.issueCodeFor('ada@example.com', { nonce: 'bench-nonce', redirectUri })
  const response = await fetch(google.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret })
  })
  const body = await response.json() as { id_token?: string }
  if (response.status !== 200 || typeof body.id_token !== 'string') throw new Error(`token endpoint answered ${response.status}`)
  return body.id_token
}

async function time (durationMs: number, once: () => unknown): Promise<Timing> {
  const cpuBefore = process.cpuUsage()
  const start = performance.now()
  let iterations = 0
  while (performance.now() - start < durationMs) {
    for (let i = 0; i < 50; i++) await once()
    iterations += 50
  }
  const elapsedUs = (performance.now() - start) * 1e3
  const cpu = process.cpuUsage(cpuBefore)
  return { iterations, usPerToken: elapsedUs / iterations, cpuUsPerToken: (cpu.user + cpu.system) / iterations }
}

async function timeJose (google: FakeGoogle, idToken: string, durationMs: number): Promise<Timing | null> {
  let jose: typeof import('jose')
  try {
    jose = await import('jose')
  } catch {
    return null
  }
  const keys = jose.createRemoteJWKSet(new URL(google.endpoints.jwks))
  const check = async () => {
    const { payload } = await jose.jwtVerify(idToken, keys, { issuer: GOOGLE_ISSUER, audience: DEFAULT_CLIENT.clientId, algorithms: ['RS256'] })
    if (payload.email !== 'ada@example.com') throw new Error('unexpected payload')
  }
  await check() // downloads and caches the keys
  await time(200, check)
  return time(durationMs, check)
}

export async function measureIdToken (quick: boolean): Promise<IdTokenResult> {
  const durationMs = quick ? 1_000 : 3_000
  const google = await startFakeGoogle({ autoConsent: true })
  try {
    const idToken = await idTokenFrom(google)
    const client = new OAuth2Client({ clientId: DEFAULT_CLIENT.clientId, endpoints: google.oauth2ClientEndpoints, issuers: [GOOGLE_ISSUER] })
    const check = async () => {
      const ticket = await client.verifyIdToken({ idToken, audience: DEFAULT_CLIENT.clientId })
      if (ticket.getPayload()?.email !== 'ada@example.com') throw new Error('unexpected payload')
    }
    await check() // downloads and caches the keys
    await time(200, check) // JIT warmup
    const verifyIdToken = await time(durationMs, check)

    const [header = '', payload = '', signature = ''] = idToken.split('.')
    const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string }
    const certs = await (await fetch(google.urls.certs)).json() as Record<string, string>
    const pem = certs[kid]
    if (pem === undefined) throw new Error(`no cert for kid ${kid}`)
    const signed = Buffer.from(`${header}.${payload}`)
    const sig = Buffer.from(signature, 'base64url')
    const key: KeyObject = createPublicKey(pem)
    const withKey = () => { if (!verify('RSA-SHA256', signed, key, sig)) throw new Error('bad signature') }
    const withPem = () => { if (!verify('RSA-SHA256', signed, pem, sig)) throw new Error('bad signature') }
    await time(200, withKey)
    const cryptoVerifyKeyObject = await time(durationMs, withKey)
    await time(200, withPem)
    const cryptoVerifyPem = await time(durationMs, withPem)
    const joseJwtVerify = await timeJose(google, idToken, durationMs)
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const signOnce = () => sign('RSA-SHA256', signed, privateKey)
    await time(200, signOnce)
    const cryptoSignRs256 = await time(durationMs, signOnce)
    const ours = createIdTokenVerifier({ jwksUrl: google.endpoints.jwks, timeout: 4_000, clientId: DEFAULT_CLIENT.clientId, now: Date.now })
    const oursOnce = async () => { if ((await ours.verify(idToken, { nonce: 'bench-nonce', accessToken: null })).user.email !== 'ada@example.com') throw new Error('unexpected user') }
    await oursOnce()
    await time(200, oursOnce)
    const pluginVerify = await time(durationMs, oursOnce)
    return { idTokenChars: idToken.length, verifyIdToken, joseJwtVerify, cryptoVerifyKeyObject, cryptoVerifyPem, cryptoSignRs256, pluginVerify }
  } finally {
    await google.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const out = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined
  const result = await measureIdToken(args.includes('--quick'))
  if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2))
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
