import { consentRedirect, type PendingAuthorization } from './consent.js'
import type { FakeGoogleContext } from './context.js'
import { mintCredential, mintOneTapCredential } from './id-token.js'
import { accountsHint, findAccount, type Account } from './options.js'
import { checkAuthorizationRequest } from './routes/authorization.js'
import type {
  FakeGoogleAccount, FakeGoogleClient, IdTokenForOptions, IssueCodeOptions, IssuedCode, OneTapCredentialOptions
} from './types.js'

/** The account an email, a sub or an account object names. Throws a TypeError naming `caller`. */
function accountOf (ctx: FakeGoogleContext, who: string | FakeGoogleAccount, caller: string): Account {
  const key = typeof who === 'string' ? who : who?.sub
  const account = typeof key === 'string' ? findAccount(ctx.accounts, key) : undefined
  if (account === undefined) throw new TypeError(`${caller}: no account with email or sub ${JSON.stringify(key)}. ${accountsHint(ctx.accounts)}`)
  return account
}

/** The registered client of that ID, or the first one. Throws a TypeError naming `caller`. */
function clientOf (ctx: FakeGoogleContext, clientId: string | undefined, caller: string): FakeGoogleClient {
  const client = clientId === undefined ? ctx.clients.values().next().value : ctx.clients.get(clientId)
  if (client === undefined) throw new TypeError(`${caller}: no client ${JSON.stringify(clientId)}`)
  return client
}

function checkClaims (claims: unknown, caller: string): Record<string, unknown> | undefined {
  if (claims === undefined) return undefined
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new TypeError(`${caller}: claims must be an object of ID token claims`)
  }
  return { ...claims as Record<string, unknown> }
}

function checkString (value: unknown, name: string, caller: string): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new TypeError(`${caller}: ${name} must be a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Mints a code for an account without a browser; see {@link FakeGoogle.issueCodeFor}. */
export function issueCodeFor (ctx: FakeGoogleContext, who: string | FakeGoogleAccount, options: IssueCodeOptions = {}): IssuedCode {
  const account = accountOf(ctx, who, 'issueCodeFor')
  const client = clientOf(ctx, options.clientId, 'issueCodeFor')
  const query: Record<string, string | undefined> = {
    client_id: client.clientId,
    redirect_uri: options.redirectUri ?? client.redirectUris[0],
    response_type: 'code',
    scope: options.scope ?? 'openid email profile',
    state: options.state,
    nonce: options.nonce,
    code_challenge: options.codeChallenge,
    code_challenge_method: options.codeChallenge === undefined ? undefined : options.codeChallengeMethod ?? 'S256',
    access_type: options.accessType,
    prompt: options.prompt,
    include_granted_scopes: options.includeGrantedScopes === true ? 'true' : undefined
  }
  const params = Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined))
  const checked = checkAuthorizationRequest(ctx, params)
  if (!checked.ok) {
    const why = 'page' in checked ? `${checked.page.error}: ${checked.page.description}` : new URL(checked.redirect).searchParams.get('error')
    throw new TypeError(`issueCodeFor: the request would fail at Google (${String(why)})`)
  }
  const claims = checkClaims(options.claims, 'issueCodeFor')
  const pending: PendingAuthorization = { ...checked.pending, ...(claims !== undefined && { claims }) }
  const callbackUrl = consentRedirect(ctx, pending, account)
  return { code: new URL(callbackUrl).searchParams.get('code')!, callbackUrl }
}

/** An ID token as a mobile app or Google Identity Services gets it; see {@link FakeGoogle.idTokenFor}. */
export function idTokenFor (ctx: FakeGoogleContext, who: string | FakeGoogleAccount, options: IdTokenForOptions = {}): string {
  const caller = 'idTokenFor'
  const account = accountOf(ctx, who, caller)
  const audience = checkString(options.audience, 'audience', caller) ?? clientOf(ctx, undefined, caller).clientId
  const authorizedParty = options.authorizedParty === null ? null : checkString(options.authorizedParty, 'authorizedParty', caller) ?? audience
  const nonce = checkString(options.nonce, 'nonce', caller)
  const lifetimeSeconds = options.lifetimeSeconds ?? 3600
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 1) {
    throw new TypeError(`${caller}: lifetimeSeconds must be a positive integer, got ${JSON.stringify(options.lifetimeSeconds)}`)
  }
  const claims = checkClaims(options.claims, caller)
  return mintCredential(ctx, {
    account,
    audience,
    authorizedParty,
    lifetimeSeconds,
    ...(nonce !== undefined && { nonce }),
    ...(claims !== undefined && { claims })
  })
}

/** What `POST /gsi/credential` gives a page of the client; see {@link FakeGoogle.oneTapCredentialFor}. */
export function oneTapCredentialFor (ctx: FakeGoogleContext, who: string | FakeGoogleAccount, options: OneTapCredentialOptions = {}): string {
  const caller = 'oneTapCredentialFor'
  const account = accountOf(ctx, who, caller)
  const client = clientOf(ctx, options.clientId, caller)
  const nonce = checkString(options.nonce, 'nonce', caller)
  const claims = checkClaims(options.claims, caller)
  return mintOneTapCredential(ctx, client.clientId, account, {
    ...(nonce !== undefined && { nonce }),
    ...(claims !== undefined && { claims })
  })
}
