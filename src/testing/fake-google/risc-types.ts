/** Cross-Account Protection (RISC) in the fake Google: what a test sends and reads. Types only. */
import type { SecurityEventType } from '../../risc/types.js'

/** The event types the fake sends, by their short names: those the plugin knows. */
export type FakeSecurityEventType = SecurityEventType

/**
 * A security event to send, as Google would about one of the fake's accounts.
 *
 * - `account` (an email or `sub` of the fake's accounts): whom the event is about. Required but
 *   for `verification`. For `tokens-revoked` the fake also revokes the account's tokens; for
 *   `token-revoked` it revokes the account's newest live refresh token (the grant with it) and
 *   names that token in the event.
 * - `reason`: `account-disabled`'s (`'hijacking'` or `'bulk-account'`).
 * - `state`: `verification`'s.
 * - `tokenIdentifier`: how `token-revoked` names the token: `'prefix'` (its first 16 characters,
 *   default) or `'hash'` (`hash_base64_sha512_sha512`: base64 of SHA-512 of the SHA-512 digest).
 */
export interface FakeSecurityEvent {
  type: FakeSecurityEventType
  account?: string
  reason?: 'hijacking' | 'bulk-account' | string
  state?: string
  tokenIdentifier?: 'prefix' | 'hash'
}

/**
 * How to make the token (for tests of a receiver's refusals): `audience` (default: the first
 * registered client's id), `issuer` (default: the RISC configuration's), `claims` merged over the
 * token's (a key set to `undefined` is removed), `header` merged over `{ alg: 'RS256', typ:
 * 'secevent+jwt', kid }`, and `signing`: `'rogue-key'` (an unpublished key, with the current
 * key's `kid`: a bad signature), `'unknown-kid'` (that key with its own `kid`), `'none'` (`alg:
 * none`, no signature).
 */
export interface SecurityEventOptions {
  audience?: string
  issuer?: string
  claims?: Record<string, unknown>
  header?: Record<string, unknown>
  signing?: 'rogue-key' | 'unknown-kid' | 'none'
}

/** Where and how to deliver: the stream's receiver by default. */
export interface SecurityEventDelivery extends SecurityEventOptions {
  /** The receiver's URL instead of the registered stream's. */
  to?: string
  /** The request's content type. Default `application/secevent+jwt`. */
  contentType?: string
  /** A body to send instead of the token (oversized or malformed deliveries). */
  body?: string
}

/** What the receiver answered. */
export interface SecurityEventAnswer {
  status: number
  /** The JSON body, or the text when it is not JSON (`''` for none). */
  body: unknown
  /** The token's `jti`. */
  jti: string
  /** The token sent. */
  token: string
}

/** The RISC stream an app registered (`POST /v1beta/stream:update`). */
export interface FakeRiscStream {
  /** Where events are pushed. */
  url: string
  /** The event type URIs asked for. */
  eventsRequested: string[]
  /** `enabled` or `disabled` (`POST /v1beta/stream/status:update`). */
  status: 'enabled' | 'disabled'
}

/**
 * A service account key file as Google Cloud console gives one (JSON), for the RISC API: the fake
 * accepts JWTs it signs (`iss` = `sub` = `client_email`, `aud` =
 * `https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService`, `kid` =
 * `private_key_id`).
 */
export interface FakeServiceAccountKey {
  type: 'service_account'
  project_id: string
  private_key_id: string
  private_key: string
  client_email: string
  client_id: string
  token_uri: string
}

/** What the fake keeps of its RISC stream and service accounts (the fake's context holds one). */
export interface FakeRiscState {
  stream: FakeRiscStream | null
  /** A new service account key file; JWTs it signs are accepted by the RISC API. */
  createServiceAccount: () => FakeServiceAccountKey
  /** Whether an `Authorization` header carries a valid service-account JWT for the RISC API. */
  authorized: (header: string | undefined, now: number) => boolean
}
