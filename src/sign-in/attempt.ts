import type { FastifyReply, FastifyRequest } from 'fastify'
import { randomToken, sameText, sha256 } from '../crypto.js'
import { allCookies, clearCookie, setCookie, type CookieAttributes } from '../http/cookies.js'
import { growingCache } from '../growing-cache.js'
import { createSealedBox } from './sealed-box.js'

/**
 * One sign-in attempt: its state, nonce and PKCE verifier, and where to go afterwards.
 *
 * Nothing is stored on the server when an attempt starts. Each attempt lives in its own
 * encrypted, HttpOnly cookie named after its state, scoped to the plugin's OAuth routes, so
 * several tabs can sign in at once and a callback only succeeds in the browser that started it.
 */
export interface LoginAttempt {
  state: string
  nonce: string
  codeVerifier: string
  returnTo: string
  startedAt: number
  /** Hash of this browser's binding cookie. */
  browser: string
  /** Scopes asked for beyond the configured ones (a grant of more access). */
  scopes?: string[]
  /** The signed-in user (`sub`) the grant of more scopes is for: Google must answer for that account. */
  upgradeFor?: string
}

/** What an attempt asks for beyond a plain sign-in. */
export interface AttemptExtras {
  scopes?: string[]
  upgradeFor?: string
}

/** Why an attempt's sign-in was refused, as the person was told: its error's code and message. */
export interface Refusal {
  code: string
  message: string
}

/**
 * What an attempt's cookie holds once its sign-in was refused (instead of nothing): opening its
 * callback again says what happened rather than that no sign-in is pending.
 */
interface RefusedAttempt {
  state: string
  browser: string
  returnTo: string
  refused: Refusal
}

export type TakeResult =
  | { ok: true, attempt: LoginAttempt }
  | {
    ok: false
    /**
     * `no-browser-cookies`: none of the plugin's cookies came back (as when the sign-in started on
     * another host); `refused`: the attempt's sign-in was refused before (its callback opened again).
     */
    reason: 'no-attempt-cookie' | 'no-browser-cookies' | 'attempt-unreadable' | 'state-differs' | 'other-browser' | 'replayed' | 'expired' | 'refused'
    /** Where the attempt meant to go, when it could be read. */
    returnTo?: string
    /** `refused`: why, as the person was told then. */
    refusal?: Refusal
  }

export interface LoginAttemptsOptions {
  secrets: readonly string[]
  cookiePrefix: string
  /**
   * Name of the browser-binding cookie (Path=/, host-only; `__Host-` on https): attempts only
   * complete in the browser holding it, even if a sibling subdomain plants an attempt cookie.
   */
  bindingCookie: string
  cookiePath: string
  secure: boolean
  /** How long an attempt stays valid, in ms. */
  lifetime: number
  /** Most attempts one browser may have pending; older ones are dropped. */
  maxPending?: number
  /** The time attempts are dated and expired by (epoch ms). */
  now: () => number
}

/** A started attempt: what goes to Google. */
export interface StartedAttempt {
  state: string
  nonce: string
  /** The PKCE S256 challenge of the attempt's verifier; the verifier stays in the sealed cookie. */
  codeChallenge: string
}

/** An attempt cookie's name is the prefix and 16 base64url characters of a hash of its state. */
const NAME_HASH = /^[\w-]{16}$/
/** A browser binding is 16 random bytes, base64url. */
const BINDING = /^[\w-]{22}$/

export function createLoginAttempts (options: LoginAttemptsOptions) {
  const box = createSealedBox(options.secrets, 'login-attempt')
  const maxPending = options.maxPending ?? 5
  const cookieOptions: CookieAttributes = { path: options.cookiePath, httpOnly: true, sameSite: 'lax', secure: options.secure }
  const bindingOptions: CookieAttributes = { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secure }
  // States already used in this process: a replay is refused even if the browser kept the cookie.
  const used = growingCache<string, true>(10_000, { ttl: options.lifetime, perf: { now: options.now } })

  const cookieNameOf = (state: string): string => options.cookiePrefix + sha256(state).slice(0, 16)

  /** A pending attempt, or the record of a refused one, from its cookie; null when unreadable. */
  function read (name: string, value: string): LoginAttempt | RefusedAttempt | null {
    const plain = box.open(value, name)
    if (plain === null) return null
    try {
      const data = JSON.parse(plain) as Partial<LoginAttempt & RefusedAttempt>
      if (data.refused !== undefined) {
        const { refused } = data
        if (typeof data.state !== 'string' || typeof data.browser !== 'string' || typeof data.returnTo !== 'string' ||
          typeof refused.code !== 'string' || typeof refused.message !== 'string') return null
        return data as RefusedAttempt
      }
      if (typeof data.state !== 'string' || typeof data.nonce !== 'string' || typeof data.codeVerifier !== 'string' ||
        typeof data.returnTo !== 'string' || typeof data.startedAt !== 'number' || typeof data.browser !== 'string') return null
      if (data.scopes !== undefined && (!Array.isArray(data.scopes) || data.scopes.some((scope) => typeof scope !== 'string'))) return null
      if (data.upgradeFor !== undefined && typeof data.upgradeFor !== 'string') return null
      return data as LoginAttempt
    } catch {
      return null
    }
  }

  // Cookies we did not set (a sibling subdomain can plant hundreds of look-alikes) must cost little:
  // only names of the exact format count, and only this many of them are looked at.
  const maxExamined = maxPending * 2

  /** Names of this browser's pending attempts: exactly our format, at most `maxExamined`, in header order. */
  function pendingNames (request: FastifyRequest): string[] {
    const names: string[] = []
    for (const name of Object.keys(allCookies(request))) {
      if (!name.startsWith(options.cookiePrefix) || !NAME_HASH.test(name.slice(options.cookiePrefix.length))) continue
      names.push(name)
      if (names.length === maxExamined) break
    }
    return names
  }

  /** Drops the oldest pending attempts (unreadable ones first) so that one more fits. */
  function prune (request: FastifyRequest, reply: FastifyReply): void {
    const names = pendingNames(request)
    if (names.length < maxPending) return
    const byAge = names
      .map((name) => {
        const attempt = read(name, allCookies(request)[name] ?? '')
        // Refused ones (and unreadable ones) go first.
        return { name, startedAt: attempt === null || 'refused' in attempt ? 0 : attempt.startedAt }
      })
      .sort((a, b) => a.startedAt - b.startedAt)
    for (const { name } of byAge.slice(0, names.length - maxPending + 1)) {
      clearCookie(reply, name, cookieOptions)
    }
  }

  /** The browser-binding value: this browser's own, or a new one if it has none of ours; sent every time. */
  function bindBrowser (request: FastifyRequest, reply: FastifyReply): string {
    const current = allCookies(request)[options.bindingCookie]
    // Only a value of our own format is kept (on plain http a sibling subdomain could plant one).
    const binding = current !== undefined && BINDING.test(current) ? current : randomToken(16)
    // (Re)sent so that it outlives every pending attempt.
    setCookie(reply, options.bindingCookie, binding, { ...bindingOptions, maxAge: Math.ceil(options.lifetime / 1000) })
    return binding
  }

  return {
    /** Gives the browser its binding cookie ahead of time (the login page does), so tabs started together share it. */
    bindBrowser,

    /** Starts an attempt: fresh state, nonce and verifier, sealed into this browser's cookie. */
    begin (request: FastifyRequest, reply: FastifyReply, returnTo: string, extras: AttemptExtras = {}): StartedAttempt {
      prune(request, reply)
      const binding = bindBrowser(request, reply)
      const attempt: LoginAttempt = {
        state: randomToken(32),
        nonce: randomToken(24),
        codeVerifier: randomToken(48),
        returnTo,
        startedAt: options.now(),
        browser: sha256(binding),
        ...(extras.scopes !== undefined && extras.scopes.length > 0 && { scopes: extras.scopes }),
        ...(extras.upgradeFor !== undefined && { upgradeFor: extras.upgradeFor })
      }
      const name = cookieNameOf(attempt.state)
      setCookie(reply, name, box.seal(JSON.stringify(attempt), name), {
        ...cookieOptions,
        maxAge: Math.ceil(options.lifetime / 1000)
      })
      return { state: attempt.state, nonce: attempt.nonce, codeChallenge: sha256(attempt.codeVerifier) }
    },

    /** Finds the attempt a callback's state belongs to and consumes it, whatever the outcome. */
    take (request: FastifyRequest, reply: FastifyReply, state: string): TakeResult {
      const name = cookieNameOf(state)
      const value = allCookies(request)[name]
      if (value === undefined) return { ok: false, reason: allCookies(request)[options.bindingCookie] === undefined ? 'no-browser-cookies' : 'no-attempt-cookie' }
      const attempt = read(name, value)
      // A refused attempt's record stays until it expires: opening the callback again says the same.
      if (attempt === null || !('refused' in attempt)) clearCookie(reply, name, cookieOptions)
      if (attempt === null) return { ok: false, reason: 'attempt-unreadable' }
      if (!sameText(attempt.state, state)) return { ok: false, reason: 'state-differs' }
      const binding = allCookies(request)[options.bindingCookie]
      if (binding === undefined || !sameText(sha256(binding), attempt.browser)) return { ok: false, reason: 'other-browser' }
      if ('refused' in attempt) return { ok: false, reason: 'refused', returnTo: attempt.returnTo, refusal: attempt.refused }
      if (used.has(name)) return { ok: false, reason: 'replayed', returnTo: attempt.returnTo }
      used.set(name, true)
      const age = options.now() - attempt.startedAt
      if (age > options.lifetime || age < -60_000) return { ok: false, reason: 'expired' }
      return { ok: true, attempt }
    },

    /**
     * Records in the attempt's cookie (taken, so no longer pending) that its sign-in was refused
     * and why, until the attempt would have expired: its callback opened again says so.
     */
    refused (reply: FastifyReply, attempt: LoginAttempt, refusal: Refusal): void {
      const name = cookieNameOf(attempt.state)
      const record: RefusedAttempt = { state: attempt.state, browser: attempt.browser, returnTo: attempt.returnTo, refused: { code: refusal.code, message: refusal.message.slice(0, 500) } }
      const left = Math.ceil((attempt.startedAt + options.lifetime - options.now()) / 1000)
      if (left > 0) setCookie(reply, name, box.seal(JSON.stringify(record), name), { ...cookieOptions, maxAge: left })
    }
  }
}

export type LoginAttempts = ReturnType<typeof createLoginAttempts>
