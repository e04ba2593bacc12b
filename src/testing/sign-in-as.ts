import { randomBytes } from 'node:crypto'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { GoogleUser } from '../types.js'
import { accountsHint, findAccount } from './fake-google/options.js'
import type { FakeGoogle, FakeGoogleAccount } from './fake-google/types.js'

/** Options of {@link signInAs}. */
export interface SignInAsOptions {
  /** Where the app should send the browser afterwards (a same-origin path). Default `/`. */
  returnTo?: string
  /** Scopes the account grants besides those the app asks for. */
  scopes?: string[]
  /** Claims that replace or add to the ID token's, e.g. `{ email_verified: false }` or `{ hd: 'example.com' }`. */
  claims?: Record<string, unknown>
  /** A Cookie header the browser already holds (an earlier session, the app's own cookies). */
  cookie?: string
  /**
   * How to sign in: `'redirect'` (default) through Google's authorization flow, or `'one-tap'`
   * through Google's button / One Tap on the built-in login page (the app needs the `oneTap`
   * option): the page's nonce, a credential from the fake, the `g_csrf_token` double-submit.
   */
  via?: 'redirect' | 'one-tap'
}

/** What {@link signInAs} gives back. */
export interface SignedIn {
  /**
   * The Cookie header the browser sends from now on: the session cookie, the plugin's browser
   * binding, and the cookies it held before (`cookie`), with `g_csrf_token` after a One Tap sign-in.
   */
  cookie: string
  /** `{ cookie }`, to spread into `app.inject({ headers })`. */
  headers: { cookie: string }
  /** Where the app sent the browser after signing in. */
  location: string
  /** The user as the ID token names them (what the app adds in its own hooks is not in it). */
  user: GoogleUser
}

interface JarCookie { value: string, path: string }

/** The cookies a browser would keep from the app's answers. */
class CookieJar {
  readonly #cookies = new Map<string, JarCookie>()

  constructor (header: string | undefined) {
    for (const pair of (header ?? '').split(';')) {
      const index = pair.indexOf('=')
      if (index > 0) this.#cookies.set(pair.slice(0, index).trim(), { value: pair.slice(index + 1).trim(), path: '/' })
    }
  }

  set (name: string, value: string): void {
    this.#cookies.set(name, { value, path: '/' })
  }

  keep (response: { cookies: Array<{ name: string, value: string, path?: string, maxAge?: number, expires?: Date }> }): void {
    for (const cookie of response.cookies) {
      // Removed as a server removes cookies (not by the wall clock: a test's clock may be anywhere).
      const gone = cookie.maxAge === 0 || cookie.expires?.getTime() === 0
      if (gone) this.#cookies.delete(cookie.name)
      else this.#cookies.set(cookie.name, { value: cookie.value, path: cookie.path ?? '/' })
    }
  }

  headerFor (path: string): string {
    return [...this.#cookies]
      .filter(([, cookie]) => cookie.path === '/' || path === cookie.path || path.startsWith(`${cookie.path}/`))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ')
  }
}

/**
 * Signs `who` (an email or `sub` of the fake's accounts) in to `app` through the plugin's real
 * routes and the fake Google's real token endpoint, as a browser would: the start route, the
 * account's consent, the callback (with `via: 'one-tap'`: the login page, a credential from the
 * fake, the One Tap route). The app is driven with `app.inject`, so it needs no port; the
 * fake Google must be the one the app's `endpoints` point at.
 *
 * ```ts
 * const { headers } = await signInAs(app, google, 'ada@example.com')
 * const response = await app.inject({ url: '/profile', headers })
 * ```
 */
export async function signInAs (app: FastifyInstance, google: FakeGoogle, who: string, options: SignInAsOptions = {}): Promise<SignedIn> {
  if (typeof who !== 'string' || findAccount(google.accounts, who) === undefined) {
    throw new TypeError(`signInAs: no account with email or sub ${JSON.stringify(who)}. ${accountsHint(google.accounts)}`)
  }
  await app.ready()
  const routes = app.googleOAuth?.routes
  if (routes === undefined) throw new TypeError('signInAs: register fastify-google-oauth on this app first')
  // As a browser on the app's own address (the one of callbackUrl).
  const origin = new URL(app.googleOAuth.origin)
  const jar = new CookieJar(options.cookie)
  const inject = async (url: string, form?: Record<string, string>): Promise<LightMyRequestResponse> => {
    const path = url.split('?')[0]!
    const cookie = jar.headerFor(path)
    const request: InjectOptions = {
      method: form === undefined ? 'GET' : 'POST',
      url,
      headers: {
        host: origin.host,
        accept: 'text/html',
        ...(origin.protocol === 'https:' && { 'x-forwarded-proto': 'https' }),
        ...(cookie !== '' && { cookie }),
        ...(form !== undefined && { 'content-type': 'application/x-www-form-urlencoded', origin: origin.origin, 'sec-fetch-site': 'same-origin' })
      },
      ...(form !== undefined && { payload: new URLSearchParams(form).toString() })
    }
    const response = await app.inject(request)
    jar.keep(response)
    return response
  }
  const finish = (done: LightMyRequestResponse, what: string): SignedIn => {
    if (done.statusCode !== 303) {
      // The error page (or a JSON answer) names the error's code.
      const code = /FST_GOOGLE_OAUTH_[A-Z_]+/.exec(done.body)?.[0]
      throw new Error(`signInAs: ${what} answered ${done.statusCode}${code === undefined ? '' : ` ${code}`}`)
    }
    const cookie = jar.headerFor('/')
    const account = findAccount(google.accounts, who)!
    // (A One Tap credential carries no `locale`.)
    return { cookie, headers: { cookie }, location: String(done.headers.location), user: googleUserOf(account, options.via === 'one-tap' ? { locale: undefined, ...options.claims } : options.claims) }
  }
  const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`

  if (options.via === 'one-tap') {
    // As Google's script on the login page: a credential for the page's nonce, posted with the CSRF double-submit.
    const page = await inject(`${routes.login}${query}`)
    const setting = (name: string): string | undefined => {
      const value = new RegExp(`data-${name}="([^"]*)"`).exec(page.body)?.[1]
      return value?.replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    }
    const loginUri = setting('login_uri')
    if (page.statusCode !== 200 || loginUri === undefined) {
      throw new Error(`signInAs: ${routes.login} shows no Google button or One Tap (answered ${page.statusCode}); register the plugin with oneTap: true`)
    }
    const credential = google.oneTapCredentialFor(who, {
      ...(setting('client_id') !== undefined && { clientId: setting('client_id') }),
      ...(setting('nonce') !== undefined && { nonce: setting('nonce') }),
      ...(options.claims !== undefined && { claims: options.claims })
    })
    const csrf = randomBytes(16).toString('hex')
    jar.set('g_csrf_token', csrf)
    const target = new URL(loginUri)
    return finish(await inject(target.pathname + target.search, { credential, g_csrf_token: csrf, select_by: 'user' }), routes.oneTap)
  }

  const start = await inject(`${routes.start}${query}`)
  const location = start.headers.location
  if (start.statusCode !== 302 || typeof location !== 'string') {
    throw new Error(`signInAs: ${routes.start} answered ${start.statusCode} instead of sending the browser to Google`)
  }
  const request = new URL(location).searchParams
  const param = (name: string): string | undefined => request.get(name) ?? undefined
  const scope = [param('scope'), ...(options.scopes ?? [])].filter((s) => s !== undefined).join(' ')
  const issued = google.issueCodeFor(who, {
    ...(param('client_id') !== undefined && { clientId: param('client_id') }),
    ...(param('redirect_uri') !== undefined && { redirectUri: param('redirect_uri') }),
    scope,
    ...(param('state') !== undefined && { state: param('state') }),
    ...(param('nonce') !== undefined && { nonce: param('nonce') }),
    ...(param('code_challenge') !== undefined && { codeChallenge: param('code_challenge'), codeChallengeMethod: 'S256' as const }),
    ...(param('access_type') === 'offline' && { accessType: 'offline' as const }),
    ...(param('prompt') !== undefined && { prompt: param('prompt') }),
    ...(options.claims !== undefined && { claims: options.claims })
  })

  const callback = new URL(issued.callbackUrl)
  return finish(await inject(callback.pathname + callback.search), 'the callback')
}

/**
 * The `request.googleUser` an app sees when `account` signs in through the fake Google (with the
 * `profile` and `email` scopes), with any ID token claims a test replaced.
 */
export function googleUserOf (account: FakeGoogleAccount, replaced: Record<string, unknown> = {}): GoogleUser {
  const claims: Record<string, unknown> = {
    sub: account.sub,
    email: account.email,
    email_verified: account.emailVerified ?? true,
    name: account.name,
    given_name: account.givenName,
    family_name: account.familyName,
    picture: account.picture,
    locale: account.locale,
    hd: account.hd,
    ...replaced
  }
  const text = (value: unknown): string | null => typeof value === 'string' && value !== '' ? value : null
  return {
    id: String(claims.sub),
    email: text(claims.email),
    emailVerified: claims.email_verified === true,
    name: text(claims.name),
    givenName: text(claims.given_name),
    familyName: text(claims.family_name),
    picture: text(claims.picture),
    locale: text(claims.locale),
    hostedDomain: text(claims.hd)
  }
}
