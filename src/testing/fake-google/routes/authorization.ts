import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import {
  autoDecision, candidates, consentRedirect, errorRedirect, needsConsentScreen, ungrantedScopes, type PendingAuthorization
} from '../consent.js'
import type { FakeGoogleContext } from '../context.js'
import { findAccount, type Account } from '../options.js'
import { chooserPage, consentPage, errorPage, PAGE_CSP, type ErrorView, type ScopeLine } from '../pages.js'
import { toParams, type Params } from '../params.js'
import { anyScope, describeScope, grantScopes, scopeNames, type GrantedScopes } from '../scopes.js'

export const AUTHORIZATION_PATH = '/o/oauth2/v2/auth'
const DECIDE_PATH = '/o/oauth2/v2/auth/decide'

/** Chooser requests are kept this long, and at most this many. */
const PENDING_TTL_MS = 60 * 60 * 1000
const PENDING_MAX = 1000
const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/

function sendPage (reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).header('content-security-policy', PAGE_CSP).header('x-frame-options', 'DENY')
    .header('cache-control', 'no-cache, no-store, max-age=0, must-revalidate')
    .type('text/html; charset=utf-8').send(html)
}

function sendError (reply: FastifyReply, view: ErrorView): FastifyReply {
  return sendPage(reply, view.status, errorPage(view))
}

/** What consenting to these scopes shares, in words. */
function sharedData (scopes: GrantedScopes): string[] {
  const shared = [...(scopes.profile ? ['name and profile picture'] : []), ...(scopes.email ? ['email address'] : [])]
  return shared.length > 0 ? shared : ['Google account ID']
}

/** Scopes as the consent screen lists them. */
function scopeLines (scopes: GrantedScopes): ScopeLine[] {
  return scopeNames(scopes).map((scope) => ({ scope, description: describeScope(scope) }))
}

type Checked = { ok: true; pending: PendingAuthorization } | { ok: false; page: ErrorView } | { ok: false; redirect: string }

/**
 * Validates an authorization request in Google's order: problems with the client or the
 * redirect URI show an error page (no redirect); later problems redirect back with `error`.
 */
export function checkAuthorizationRequest (ctx: FakeGoogleContext, p: Params): Checked {
  const missing = (name: string): Checked => ({
    ok: false,
    page: { status: 400, error: 'invalid_request', description: `Missing required parameter: ${name}` }
  })
  if (!p.client_id) return missing('client_id')
  const client = ctx.clients.get(p.client_id)
  if (client === undefined) {
    return {
      ok: false,
      page: { status: 401, title: 'Access blocked: authorization error', error: 'invalid_client', description: 'The OAuth client was not found.', details: [['client_id', p.client_id]] }
    }
  }
  if (!p.redirect_uri) return missing('redirect_uri')
  if (!client.redirectUris.includes(p.redirect_uri)) {
    return {
      ok: false,
      page: {
        status: 400,
        error: 'redirect_uri_mismatch',
        description: "You can't sign in to this app because it doesn't comply with the OAuth 2.0 policy: the redirect URI is not registered for this client.",
        details: [['redirect_uri', p.redirect_uri], ['client_id', p.client_id]]
      }
    }
  }
  if (!p.response_type) return missing('response_type')
  if (!p.scope) return missing('scope')
  const back = { redirectUri: p.redirect_uri, state: p.state }
  const fail = (error: string): Checked => ({ ok: false, redirect: errorRedirect(back, error) })
  if (p.response_type !== 'code') return fail('unsupported_response_type')
  const scopes = grantScopes(p.scope)
  if (!scopes.openid) return fail('invalid_scope')
  const method = p.code_challenge_method
  if (method !== undefined && (p.code_challenge === undefined || (method !== 'S256' && method !== 'plain'))) return fail('invalid_request')
  if (p.code_challenge !== undefined && !PKCE_CHALLENGE.test(p.code_challenge)) return fail('invalid_request')
  const accessType = p.access_type ?? 'online'
  if (accessType !== 'online' && accessType !== 'offline') return fail('invalid_request')
  const prompt = (p.prompt ?? '').split(' ').filter(Boolean)
  if (prompt.some((v) => !['none', 'consent', 'select_account'].includes(v)) || (prompt.includes('none') && prompt.length > 1)) {
    return fail('invalid_request')
  }
  const pending: PendingAuthorization = { clientId: client.clientId, redirectUri: p.redirect_uri, scopes, accessType, prompt }
  if (p.state !== undefined) pending.state = p.state
  if (p.nonce !== undefined) pending.nonce = p.nonce
  if (p.code_challenge !== undefined) {
    pending.codeChallenge = p.code_challenge
    pending.codeChallengeMethod = method === 'S256' ? 'S256' : 'plain'
  }
  if (p.login_hint) pending.loginHint = p.login_hint
  if (p.hd) pending.hd = p.hd
  if (p.include_granted_scopes === 'true') pending.includeGrantedScopes = true
  return { ok: true, pending }
}

/** A request waiting for the chooser, or (with `account`) for the consent screen's answer. */
interface Waiting {
  pending: PendingAuthorization
  account?: Account
  at: number
}

/**
 * `GET /o/oauth2/v2/auth`, and `POST /o/oauth2/v2/auth/decide` where the chooser and the consent
 * screen post their answers.
 */
export function authorizationRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  const waiting = new Map<string, Waiting>()

  function remember (pending: PendingAuthorization, account?: Account): string {
    const now = ctx.settings.now()
    for (const [id, entry] of waiting) {
      if (waiting.size < PENDING_MAX && now - entry.at < PENDING_TTL_MS) break
      waiting.delete(id)
    }
    const id = randomBytes(18).toString('base64url')
    waiting.set(id, { pending, at: now, ...(account !== undefined && { account }) })
    return id
  }

  /** The consent screen for the scopes the account has not granted yet. */
  function askConsent (reply: FastifyReply, pending: PendingAuthorization, account: Account): FastifyReply {
    return sendPage(reply, 200, consentPage({
      requestId: remember(pending, account),
      action: DECIDE_PATH,
      account,
      appHost: new URL(pending.redirectUri).host,
      clientId: pending.clientId,
      scopes: scopeLines(ungrantedScopes(ctx, pending, account))
    }))
  }

  app.get(AUTHORIZATION_PATH, { config: { endpoint: 'authorization' } }, async (request, reply) => {
    const checked = checkAuthorizationRequest(ctx, toParams(request.query))
    if (!checked.ok) return 'page' in checked ? sendError(reply, checked.page) : reply.redirect(checked.redirect, 302)
    const { pending } = checked
    const decision = autoDecision(ctx, pending)
    if (decision === 'deny') return reply.redirect(errorRedirect(pending, 'access_denied'), 302)
    if (pending.prompt.includes('none')) {
      if (decision === undefined) return reply.redirect(errorRedirect(pending, 'interaction_required'), 302)
      if (anyScope(ungrantedScopes(ctx, pending, decision))) {
        return reply.redirect(errorRedirect(pending, 'consent_required'), 302)
      }
    }
    if (decision !== undefined) return reply.redirect(consentRedirect(ctx, pending, decision), 302)
    const offered = candidates(ctx.accounts, pending)
    return sendPage(reply, 200, chooserPage({
      requestId: remember(pending),
      action: DECIDE_PATH,
      accounts: offered,
      hinted: pending.loginHint === undefined ? undefined : findAccount(offered, pending.loginHint)?.sub,
      appHost: new URL(pending.redirectUri).host,
      clientId: pending.clientId,
      shares: sharedData(pending.scopes),
      allows: scopeLines({ openid: false, email: false, profile: false, others: pending.scopes.others })
    }))
  })

  app.post(DECIDE_PATH, { config: { endpoint: 'authorization', exempt: true } }, async (request, reply) => {
    const p = toParams(request.body)
    const entry = p.request === undefined ? undefined : waiting.get(p.request)
    if (entry === undefined || ctx.settings.now() - entry.at >= PENDING_TTL_MS) {
      return sendError(reply, {
        status: 400,
        title: 'This sign-in has expired',
        error: 'invalid_request',
        description: 'This sign-in request expired or was already answered. Start again from the app.'
      })
    }
    waiting.delete(p.request!)
    const { pending } = entry
    if (p.action === 'deny') return reply.redirect(errorRedirect(pending, 'access_denied'), 302)
    if (entry.account !== undefined) {
      if (p.action !== 'allow') return sendError(reply, { status: 400, error: 'invalid_request', description: 'Answer with Allow or Cancel.' })
      return reply.redirect(consentRedirect(ctx, pending, entry.account), 302)
    }
    const account = ctx.accounts.find((a) => a.sub === p.account)
    if (account === undefined) {
      return sendError(reply, { status: 400, error: 'invalid_request', description: 'No such account.' })
    }
    if (needsConsentScreen(ctx, pending, account)) return askConsent(reply, pending, account)
    return reply.redirect(consentRedirect(ctx, pending, account), 302)
  })
}
