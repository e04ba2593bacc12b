import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FakeGoogleContext } from '../context.js'
import type { Consent } from '../grants.js'
import { mintIdToken } from '../id-token.js'
import { s256Challenge } from '../jwt.js'
import { toParams, type Params } from '../params.js'
import { tokenScope } from '../scopes.js'
import type { FakeGoogleClient } from '../types.js'

export const TOKEN_PATH = '/token'

/** An OAuth error answer: status and JSON body. */
class OAuthError {
  constructor (readonly status: number, readonly error: string, readonly description: string) {}
}

const oauthError = (status: number, error: string, description: string): OAuthError => new OAuthError(status, error, description)

function sendError (reply: FastifyReply, e: OAuthError): FastifyReply {
  return reply.code(e.status).send({ error: e.error, error_description: e.description })
}

function decode (value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

/**
 * Authenticates the client by HTTP Basic (`client_secret_basic`, form-encoded ID and secret) or
 * by `client_id` and `client_secret` in the body (`client_secret_post`).
 */
function authenticateClient (ctx: FakeGoogleContext, request: FastifyRequest, p: Params): FakeGoogleClient | OAuthError {
  let clientId = p.client_id
  let secret = p.client_secret
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  if (basic !== null) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon < 0) return oauthError(401, 'invalid_client', 'Unauthorized')
    const basicId = decode(decoded.slice(0, colon))
    if (clientId !== undefined && clientId !== basicId) return oauthError(401, 'invalid_client', 'Unauthorized')
    clientId = basicId
    secret = decode(decoded.slice(colon + 1))
  }
  if (!clientId) return oauthError(400, 'invalid_request', 'Could not determine client ID from request.')
  const client = ctx.clients.get(clientId)
  if (client === undefined) return oauthError(401, 'invalid_client', 'The OAuth client was not found.')
  if (secret === undefined) return oauthError(400, 'invalid_request', 'client_secret is missing.')
  if (secret !== client.clientSecret) return oauthError(401, 'invalid_client', 'Unauthorized')
  return client
}

/**
 * Checks the PKCE verifier against the code's challenge. As at Google, a verifier sent for a code
 * that was issued without a challenge is refused too (a PKCE downgrade must not go unnoticed).
 */
function checkVerifier (consent: Consent, verifier: string | undefined): OAuthError | undefined {
  if (consent.codeChallenge === undefined) {
    return verifier === undefined ? undefined : oauthError(400, 'invalid_grant', 'code_verifier or verifier is not needed.')
  }
  if (verifier === undefined) return oauthError(400, 'invalid_grant', 'Missing code verifier.')
  const computed = consent.codeChallengeMethod === 'S256' ? s256Challenge(verifier) : verifier
  return computed === consent.codeChallenge ? undefined : oauthError(400, 'invalid_grant', 'Invalid code verifier.')
}

function exchangeCode (ctx: FakeGoogleContext, client: FakeGoogleClient, p: Params): Record<string, unknown> | OAuthError {
  if (!p.code) return oauthError(400, 'invalid_request', 'Missing required parameter: code')
  const redeemed = ctx.grants.redeemCode(p.code)
  if (!redeemed.ok) return oauthError(400, 'invalid_grant', 'Bad Request')
  const { consent, code } = redeemed
  if (consent.clientId !== client.clientId) return oauthError(400, 'invalid_grant', 'Bad Request')
  if (!p.redirect_uri) return oauthError(400, 'invalid_request', 'Missing parameter: redirect_uri')
  if (p.redirect_uri !== consent.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request')
  const pkce = checkVerifier(consent, p.code_verifier)
  if (pkce !== undefined) return pkce
  const lifetime = ctx.settings.accessTokenLifetime
  const accessToken = ctx.grants.issueAccessToken(consent, lifetime, code)
  const refreshToken = ctx.grants.grantsRefreshToken(consent) ? ctx.grants.issueRefreshToken(consent, code) : undefined
  return {
    access_token: accessToken,
    expires_in: lifetime,
    ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
    scope: tokenScope(consent.scopes),
    token_type: 'Bearer',
    id_token: mintIdToken(ctx, {
      clientId: client.clientId,
      account: consent.account,
      scopes: consent.scopes,
      accessToken,
      ...(consent.nonce !== undefined && { nonce: consent.nonce }),
      ...(consent.claims !== undefined && { claims: consent.claims })
    })
  }
}

function refresh (ctx: FakeGoogleContext, client: FakeGoogleClient, p: Params): Record<string, unknown> | OAuthError {
  if (!p.refresh_token) return oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token')
  const record = ctx.grants.refreshToken(p.refresh_token)
  if (record === undefined) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.')
  if (record.clientId !== client.clientId) return oauthError(400, 'unauthorized_client', 'Unauthorized')
  const lifetime = ctx.settings.accessTokenLifetime
  const accessToken = ctx.grants.issueAccessToken(record, lifetime)
  return {
    access_token: accessToken,
    expires_in: lifetime,
    scope: tokenScope(record.scopes),
    token_type: 'Bearer',
    ...(record.scopes.openid
      ? { id_token: mintIdToken(ctx, { clientId: client.clientId, account: record.account, scopes: record.scopes, accessToken }) }
      : {})
  }
}

/** `POST /token`: the authorization code and refresh token grants. */
export function tokenRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  app.post(TOKEN_PATH, { config: { endpoint: 'token' } }, async (request, reply) => {
    reply.header('cache-control', 'no-cache, no-store, max-age=0, must-revalidate')
      .header('pragma', 'no-cache')
      .header('expires', 'Mon, 01 Jan 1990 00:00:00 GMT')
      .type('application/json; charset=utf-8')
    const p = toParams(request.body)
    const grantType = p.grant_type ?? ''
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return sendError(reply, oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`))
    }
    const client = authenticateClient(ctx, request, p)
    if (client instanceof OAuthError) return sendError(reply, client)
    const result = grantType === 'authorization_code' ? exchangeCode(ctx, client, p) : refresh(ctx, client, p)
    if (result instanceof OAuthError) return sendError(reply, result)
    if (ctx.behaviours.stripIdToken.has(request)) delete result.id_token
    return reply.code(200).send(result)
  })
}
