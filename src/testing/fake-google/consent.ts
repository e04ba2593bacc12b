import type { FakeGoogleContext } from './context.js'
import type { Consent } from './grants.js'
import { findAccount, type Account } from './options.js'
import { anyScope, NO_SCOPES, redirectScope, sharedScopes, unionScopes, withoutScopes, type GrantedScopes } from './scopes.js'

/** An authorization request that passed validation, waiting for an account's decision. */
export interface PendingAuthorization extends Omit<Consent, 'account'> {
  state?: string
  loginHint?: string
  hd?: string
  /** `include_granted_scopes=true`: the grant holds every scope granted before too. */
  includeGrantedScopes?: boolean
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

/** The requested scopes the account has not granted the client yet: all of them at its first consent. */
export function ungrantedScopes (ctx: FakeGoogleContext, pending: PendingAuthorization, account: Account): GrantedScopes {
  return withoutScopes(pending.scopes, ctx.grants.grantedScopes(pending.clientId, account.sub) ?? NO_SCOPES)
}

/**
 * Whether the account, which already consented to the client, must see the consent screen for
 * scopes it has not granted yet. (At a first consent the chooser stands for the consent screen.)
 */
export function needsConsentScreen (ctx: FakeGoogleContext, pending: PendingAuthorization, account: Account): boolean {
  return ctx.grants.grantedScopes(pending.clientId, account.sub) !== undefined && anyScope(ungrantedScopes(ctx, pending, account))
}

/**
 * Records the account's consent and returns the success redirect:
 * `redirect_uri?code=4/0A…&state=…&scope=…&authuser=0[&hd=…]&prompt=consent|none`.
 * The consent grants the requested scopes not granted before, less those `declineScopes` leaves
 * out (`openid` is never left out); scopes granted before stay granted. The code's grant holds the
 * requested scopes the account has now granted, plus every earlier one with `include_granted_scopes`.
 * `prompt` is `consent` when a consent screen would have been shown (new scopes asked, as at a
 * first consent, or `prompt=consent` asked), else `none`, as Google reports it.
 */
export function consentRedirect (ctx: FakeGoogleContext, pending: PendingAuthorization, account: Account): string {
  const { state, loginHint: _hint, hd: _hd, includeGrantedScopes, ...grant } = pending
  const earlier = ctx.grants.grantedScopes(pending.clientId, account.sub) ?? NO_SCOPES
  const asked = withoutScopes(pending.scopes, earlier)
  const declined = ctx.declined === null ? NO_SCOPES : { ...ctx.declined, openid: false }
  const granted = withoutScopes(asked, declined)
  ctx.grants.recordConsent(pending.clientId, account.sub, granted)
  const now = unionScopes(earlier, granted)
  const scopes = includeGrantedScopes === true ? now : sharedScopes(pending.scopes, now)
  const code = ctx.grants.issueCode({ ...grant, scopes, account })
  return redirectTo(pending.redirectUri, {
    code,
    state,
    scope: redirectScope(scopes),
    authuser: '0',
    hd: account.hd,
    prompt: pending.prompt.includes('consent') || anyScope(asked) ? 'consent' : 'none'
  })
}
