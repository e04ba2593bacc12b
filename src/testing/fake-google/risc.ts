import { createHash, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto'
import type { FakeGoogleContext } from './context.js'
import { encodeJwt, type JwtSigner } from './jwt.js'
import { accountsHint, findAccount } from './options.js'
import type { FakeRiscState, FakeRiscStream, FakeSecurityEvent, FakeServiceAccountKey, SecurityEventAnswer, SecurityEventDelivery, SecurityEventOptions } from './risc-types.js'

/** The issuer of Google's security event tokens, as its RISC configuration gives it (with a slash, unlike ID tokens'). */
export const RISC_ISSUER = 'https://accounts.google.com/'
/** The audience of the service account JWTs the RISC API takes. */
export const RISC_API_AUDIENCE = 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService'
export const PUSH_DELIVERY = 'https://schemas.openid.net/secevent/risc/delivery-method/push'

const RISC_TYPES = new Set(['sessions-revoked', 'account-disabled', 'account-enabled', 'account-credential-change-required', 'verification'])
const OAUTH_TYPES = new Set(['tokens-revoked', 'token-revoked'])

/** The full URI of an event type. */
export function eventUri (type: string): string {
  if (RISC_TYPES.has(type)) return `https://schemas.openid.net/secevent/risc/event-type/${type}`
  if (OAUTH_TYPES.has(type)) return `https://schemas.openid.net/secevent/oauth/event-type/${type}`
  throw new TypeError(`sendSecurityEvent: unknown event type ${JSON.stringify(type)}; use ${[...RISC_TYPES, ...OAUTH_TYPES].join(', ')}`)
}

/** `hash_base64_sha512_sha512`: base64 of SHA-512 of the SHA-512 digest of the token. */
export function doubleSha512 (token: string): string {
  return createHash('sha512').update(createHash('sha512').update(token).digest()).digest('base64')
}

/** The fake's RISC state: the stream an app registered and the service accounts it accepts. */
export class RiscState implements FakeRiscState {
  stream: FakeRiscStream | null = null
  /** Public keys of the service accounts made by `createServiceAccount`, by `private_key_id`. */
  readonly serviceAccounts = new Map<string, { email: string, key: KeyObject }>()

  /** A new service account key file; JWTs it signs are accepted by the RISC API. */
  createServiceAccount (): FakeServiceAccountKey {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const id = randomBytes(20).toString('hex')
    const email = `risc-admin-${id.slice(0, 8)}@fake-project.iam.gserviceaccount.com`
    this.serviceAccounts.set(id, { email, key: publicKey })
    return {
      type: 'service_account',
      project_id: 'fake-project',
      private_key_id: id,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: String(BigInt(`0x${id.slice(0, 15)}`)),
      token_uri: 'https://oauth2.googleapis.com/token'
    }
  }

  /** Whether an `Authorization` header carries a live JWT of a known service account for the RISC API. */
  authorized (header: string | undefined, now: number): boolean {
    const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header ?? '')
    if (match === null) return false
    try {
      const head = JSON.parse(Buffer.from(match[1]!, 'base64url').toString()) as { alg?: unknown, kid?: unknown }
      const claims = JSON.parse(Buffer.from(match[2]!, 'base64url').toString()) as Record<string, unknown>
      const account = typeof head.kid === 'string' ? this.serviceAccounts.get(head.kid) : undefined
      if (head.alg !== 'RS256' || account === undefined) return false
      if (!verify('RSA-SHA256', Buffer.from(`${match[1]!}.${match[2]!}`), account.key, Buffer.from(match[3]!, 'base64url'))) return false
      const seconds = Math.floor(now / 1000)
      return claims.iss === account.email && claims.sub === account.email && claims.aud === RISC_API_AUDIENCE &&
        typeof claims.exp === 'number' && claims.exp > seconds && typeof claims.iat === 'number' && claims.iat <= seconds + 300
    } catch {
      return false
    }
  }
}

/** The event's own claims: its subject, and what its type carries. Revokes at the fake what Google would have revoked. */
function eventClaims (ctx: FakeGoogleContext, event: FakeSecurityEvent): Record<string, unknown> {
  if (event.type === 'verification') return { state: event.state ?? '' }
  const account = typeof event.account === 'string' ? findAccount(ctx.accounts, event.account) : undefined
  if (account === undefined) throw new TypeError(`sendSecurityEvent: ${event.type} needs the account it is about, an email or sub (got ${JSON.stringify(event.account)}). ${accountsHint(ctx.accounts)}`)
  if (event.type === 'token-revoked') {
    const token = ctx.grants.liveRefreshTokens(account.sub).at(-1)
    if (token === undefined) throw new TypeError(`sendSecurityEvent: ${account.email} holds no live refresh token (sign in with accessType: 'offline' first)`)
    ctx.grants.revoke(token)
    const hashed = event.tokenIdentifier === 'hash'
    return {
      subject: {
        subject_type: 'oauth_token',
        token_type: 'refresh_token',
        token_identifier_alg: hashed ? 'hash_base64_sha512_sha512' : 'prefix',
        token: hashed ? doubleSha512(token) : token.slice(0, 16)
      }
    }
  }
  if (event.type === 'tokens-revoked') ctx.grants.revokeAccount(account.sub)
  return {
    subject: { subject_type: 'iss-sub', iss: RISC_ISSUER, sub: account.sub },
    ...(event.reason !== undefined && { reason: event.reason })
  }
}

/** A signed security event token, as Google sends one; see {@link SecurityEventOptions} for forgeries. */
export function securityEventToken (ctx: FakeGoogleContext, event: FakeSecurityEvent, options: SecurityEventOptions = {}): { token: string, jti: string } {
  const jti = randomBytes(16).toString('hex')
  const audience = options.audience ?? ctx.clients.values().next().value?.clientId
  const claims: Record<string, unknown> = {
    iss: options.issuer ?? RISC_ISSUER,
    aud: audience,
    iat: Math.floor(ctx.settings.now() / 1000),
    jti,
    events: { [eventUri(event.type)]: eventClaims(ctx, event) },
    ...options.claims
  }
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key]
  const signing = options.signing
  // The unpublished key only signs forgeries ('rogue-key' keeps the current kid, 'unknown-kid' names its own).
  const key = signing === 'rogue-key' || signing === 'unknown-kid' ? ctx.keys.rogue : ctx.keys.current
  const header = { alg: signing === 'none' ? 'none' : 'RS256', typ: 'secevent+jwt', ...(signing !== 'none' && { kid: signing === 'unknown-kid' ? key.kid : ctx.keys.current.kid }), ...options.header }
  const signer: JwtSigner = signing === 'none' ? { kind: 'none' } : { kind: 'rs256', key: key.privateKey }
  return { token: encodeJwt(header, claims, signer), jti: typeof claims.jti === 'string' ? claims.jti : jti }
}

/** Pushes a security event to the registered receiver (or `to`) over HTTP, and gives its answer. */
export async function deliverSecurityEvent (ctx: FakeGoogleContext, event: FakeSecurityEvent, options: SecurityEventDelivery = {}): Promise<SecurityEventAnswer> {
  const to = options.to ?? ctx.risc.stream?.url
  if (to === undefined) throw new TypeError('sendSecurityEvent: no receiver registered: register one with POST /v1beta/stream:update (a service account of createServiceAccount()), or pass { to: url }')
  const { token, jti } = securityEventToken(ctx, event, options)
  const response = await fetch(to, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/secevent+jwt', accept: 'application/json' },
    body: options.body ?? token
  })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: response.status, body, jti, token }
}
