import type { FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { sha256 } from '../crypto.js'
import { pluginError, isPluginError, type PluginError } from '../errors.js'
import type { Emit } from '../events.js'
import { growingCache } from '../growing-cache.js'
import { isCanonicalJws } from '../google/compact-jws.js'
import { CLOCK_SKEW_SECONDS } from '../google/id-token-claims.js'
import type { IdTokenVerifier } from '../google/verify-id-token.js'
import { revokedBefore, type Revocations } from '../session/revocations.js'
import type { GoogleUser } from '../types.js'
import type { Admit } from './admit.js'

/** Longest Authorization header looked at: Google's ID tokens are 1-2 KB. */
const MAX_HEADER = 4096
/** `Bearer <header>.<payload>.<signature>`: base64url parts (an empty signature is refused as a token), one space, nothing else. */
const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i

export interface BearerAuthOptions {
  verifier: IdTokenVerifier
  /** Accepted `aud` values (our client id first). */
  audiences: readonly string[]
  /** Accepted `azp` values, when a token has one. */
  authorizedParties: readonly string[]
  /** Most verified tokens kept (and most refusals remembered). */
  cacheSize: number
  /** Accept tokens that carry a nonce (issued for a sign-in: an app's own flow that sets one). */
  acceptNonce: boolean
  admit: Admit
  emit: Emit
  now: () => number
  /** When each user was last revoked: a token issued before is refused, on every instance. */
  revocations: Revocations
}

/** Why a Bearer request was refused, for the `WWW-Authenticate` answer (RFC 6750 §3.1). */
export type BearerChallenge = 'invalid_request' | 'invalid_token'

/** A refused Bearer token or header carries what `WWW-Authenticate` says about it. */
export type BearerError = PluginError & { challenge?: BearerChallenge }

function refusal (challenge: BearerChallenge, reason: string): BearerError {
  const error: BearerError = pluginError('INVALID_BEARER_TOKEN', reason)
  error.challenge = challenge
  return error
}

/** The token of an `Authorization: Bearer <JWT>` header, or the refusal of an unusable header. */
function readBearerHeader (header: string): string | BearerError {
  if (header.length > MAX_HEADER) return refusal('invalid_request', 'header-too-long')
  const match = BEARER.exec(header)
  if (match === null) return refusal('invalid_request', /^bearer(\s|$)/i.test(header) ? 'malformed-bearer' : 'not-bearer')
  return match[1]!
}

interface Admitted {
  user: GoogleUser
  /** When the token was issued (epoch ms, from its `iat`). */
  issuedAt: number
  /** Until when the token is accepted (epoch ms: its exp plus the allowed clock skew): the cache entry goes then. */
  expiresAt: number
}

/** The cache key of a token: its last 43 characters, of its signature (at least 256 bits; 342 characters in RS256). */
const cacheKey = (token: string): string => token.slice(-43)

/** How long a refused token's refusal is remembered: the same token is not checked (nor onSignIn called) again meanwhile. */
const REFUSAL_MS = 60_000

/**
 * Google ID tokens as Bearer credentials: verified as the redirect flow's are (minus the nonce,
 * with the configured audiences and authorized parties), then the policies and `onSignIn`. What
 * they give is cached by the token until it expires, so a repeat request costs a lookup;
 * a refusal is remembered for a minute; concurrent requests with one new token share one
 * verification. A token carrying a nonce was issued for a sign-in (the redirect flow, One Tap):
 * it is no Bearer credential unless `acceptNonce`.
 */
export function createBearerAuth (options: BearerAuthOptions) {
  /** The cached tokens of each user, to forget them when the user is revoked (kept in step with the cache). */
  const byUser = new Map<string, Set<string>>()
  // Keyed by the token's last characters (part of its signature) and holding the whole token: a
  // lookup hashes a few dozen characters, not a kilobyte. A hit counts only if the whole token matches.
  const admitted = new LRUCache<string, Admitted & { token: string }>({
    max: options.cacheSize,
    perf: { now: options.now },
    dispose: (value, key) => {
      const keys = byUser.get(value.user.id)
      keys?.delete(key)
      if (keys?.size === 0) byUser.delete(value.user.id)
    }
  })
  const refused = growingCache<string, PluginError>(options.cacheSize, { ttl: REFUSAL_MS, perf: { now: options.now } })
  const pending = new Map<string, Promise<Admitted>>()

  /**
   * Throws (or rejects with) a refusal when a token issued at `issuedAt` predates its user's
   * revocation: at once when this process knows the revocation time, else once the store said.
   */
  function refuseIfRevoked (userId: string, issuedAt: number): void | Promise<void> {
    const at = options.revocations.get(userId)
    const decide = (revokedAt: number): void => {
      if (revokedBefore(issuedAt, revokedAt)) throw refusal('invalid_token', 'bearer:revoked')
    }
    return typeof at === 'number' ? decide(at) : at.then(decide)
  }

  async function admit (token: string, request: FastifyRequest): Promise<Admitted> {
    const ticket = options.revocations.begin()
    let verified
    try {
      verified = await options.verifier.verify(token, { nonce: null, accessToken: null, audiences: options.audiences, authorizedParties: options.authorizedParties })
    } catch (error) {
      // The token is at fault (401); Google's key set being unreachable is not (502/504, as for any sign-in).
      if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_ID_TOKEN_INVALID') throw refusal('invalid_token', `bearer:${error.reason ?? 'invalid'}`)
      throw error
    }
    if (verified.claims.nonce !== undefined && !options.acceptNonce) throw refusal('invalid_token', 'bearer:sign-in-token')
    const issuedAt = verified.claims.iat * 1000
    await refuseIfRevoked(verified.user.id, issuedAt)
    const user = await options.admit({ user: verified.user, claims: verified.claims, scopes: [], request, method: 'bearer' })
    // The user was revoked while this admission was under way: its result must not outlive that.
    if (options.revocations.interrupted(ticket, user.id)) throw refusal('invalid_token', 'bearer:revoked')
    options.emit({ type: 'sign-in', method: 'bearer', scopes: [], userId: user.id, requestId: request.id })
    // Usable as long as verification accepts it (exp plus the clock skew allowed with Google), so that a
    // token close to its exp is cached like any other, not verified (and admitted) again on every request.
    return { user, issuedAt, expiresAt: (verified.claims.exp + CLOCK_SKEW_SECONDS) * 1000 }
  }

  // A revocation learned (here or from another instance) forgets the user's tokens at once.
  options.revocations.onRevoked((userId) => { forgetUser(userId) })

  /** The token's entry in the cache, if it is this very token's. */
  function cached (token: string): Admitted | undefined {
    const entry = admitted.get(cacheKey(token))
    return entry !== undefined && entry.token === token ? entry : undefined
  }

  /** Forgets the tokens of a user verified so far: their next request is verified (and admitted) again. */
  function forgetUser (userId: string): void {
    for (const key of [...(byUser.get(userId) ?? [])]) admitted.delete(key)
  }

  return {
    /**
     * The user an `Authorization` header names: at once (no promise) when its token is cached and
     * this process knows its user's revocation time, else a promise (of the revocation check, or of
     * the verification). Throws, or rejects with, a `BearerError` for an unusable
     * header or token, or the sign-in's own errors (policies, `onSignIn`, Google's keys unreachable,
     * the store unable to say whether the user was revoked).
     */
    authenticate (header: string, request: FastifyRequest): GoogleUser | Promise<GoogleUser> {
      // `Bearer <cached token>` is a valid header (only valid ones were cached): no parsing then.
      // Verified tokens are cached whole (only Google-signed tokens get in, so the cache cannot be
      // filled with junk): a hit costs a lookup by the token's last characters and one comparison, no hash.
      const usual = header.startsWith('Bearer ') ? header.slice(7) : null
      let known = usual === null ? undefined : cached(usual)
      const token = known === undefined ? readBearerHeader(header) : usual!
      if (typeof token !== 'string') throw token
      if (token !== usual) known = cached(token)
      if (known !== undefined) {
        if (known.expiresAt <= options.now()) {
          admitted.delete(cacheKey(token))
          throw refusal('invalid_token', 'bearer:expired')
        }
        // Checked on every use: a revocation on another instance reaches this cache too (a revoked
        // user's entries are forgotten as the revocation is learned; the store failing keeps them).
        const checked = refuseIfRevoked(known.user.id, known.issuedAt)
        return checked === undefined ? known.user : checked.then(() => known.user)
      }
      // Only a token's canonical spelling verifies (and so only it is ever cached): any other is
      // refused before the other caches, and not remembered (re-spellings of a refused token would
      // push its refusal out of the cache).
      if (!isCanonicalJws(token)) throw refusal('invalid_token', 'bearer:malformed')
      // Refusals and verifications under way are keyed by a hash: any header can get there.
      const key = sha256(token)
      const refusedBefore = refused.get(key)
      if (refusedBefore !== undefined) throw refusedBefore
      let shared = pending.get(key)
      if (shared === undefined) {
        shared = admit(token, request).then((result) => {
          const left = result.expiresAt - options.now()
          if (left > 0) {
            admitted.set(cacheKey(token), { ...result, token }, { ttl: left })
            const keys = byUser.get(result.user.id) ?? new Set()
            keys.add(cacheKey(token))
            byUser.set(result.user.id, keys)
          }
          return result
        }, (error: unknown) => {
          // A refusal of the token or of its user (not Google or the app failing) is remembered a while.
          if (isPluginError(error) && error.statusCode < 500) refused.set(key, error)
          throw error
        }).finally(() => pending.delete(key))
        pending.set(key, shared)
      }
      return shared.then((result) => result.user)
    }
  }
}

export type BearerAuth = ReturnType<typeof createBearerAuth>
