import type { FakeGoogleContext } from './context.js'
import type { Consent } from './grants.js'
import { findAccount, type Account } from './options.js'
import { redirectScope } from './scopes.js'

/** An authorization request that passed validation, waiting for an account's decision. */
export interface PendingAuthorization extends Omit<Consent, 'account'> {
  state?: string
  loginHint?: string
  hd?: string
}

/** Appends parameters to a redirect URI, keeping its own query. */
function redirectTo (redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(name, value)
  }
  return url.toString()
}

/** The redirect carrying an OAuth error back to the app, with the request's state. */
export function errorRedirect (pending: Pick<PendingAuthorization, 'redirectUri' | 'state'>, error: string): string {
  return redirectTo(pending.redirectUri, { error, state: pending.state })
}

/**
 * The accounts the chooser offers: those of the `hd` domain if any (else all), the one named by
 * `login_hint` first.
 */
export function candidates (accounts: readonly Account[], pending: Pick<PendingAuthorization, 'hd' | 'loginHint'>): Account[] {
  const inDomain = pending.hd === undefined ? [] : accounts.filter((a) => a.hd === pending.hd)
  const offered = inDomain.length > 0 ? inDomain : [...accounts]
  const hinted = pending.loginHint === undefined ? undefined : findAccount(offered, pending.loginHint)
  return hinted === undefined ? offered : [hinted, ...offered.filter((a) => a !== hinted)]
}

/**
 * The account auto-consent picks, `'deny'`, or undefined when the chooser must be shown.
 */
export function autoDecision (ctx: FakeGoogleContext, pending: PendingAuthorization): Account | 'deny' | undefined {
  const mode = ctx.autoConsent
  if (mode === false) return undefined
  if (mode === 'deny') return 'deny'
  if (mode === true) return candidates(ctx.accounts, pending)[0]
  return findAccount(ctx.accounts, mode)
}

/**
 * Records the account's consent and returns the success redirect:
 * `redirect_uri?code=4/0A…&state=…&scope=…&authuser=0[&hd=…]&prompt=consent|none`.
 * `prompt` is `consent` when a consent screen would have been shown (first consent, or
 * `prompt=consent` asked), else `none`, as Google reports it.
 */
export function consentRedirect (ctx: FakeGoogleContext, pending: PendingAuthorization, account: Account): string {
  const { state, loginHint: _hint, hd: _hd, ...grant } = pending
  const shownConsent = pending.prompt.includes('consent') || !ctx.grants.hasConsented(pending.clientId, account.sub)
  const code = ctx.grants.issueCode({ ...grant, account })
  return redirectTo(pending.redirectUri, {
    code,
    state,
    scope: redirectScope(pending.scopes),
    authuser: '0',
    hd: account.hd,
    prompt: shownConsent ? 'consent' : 'none'
  })
}
