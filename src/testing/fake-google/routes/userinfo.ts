import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FakeGoogleContext } from '../context.js'
import type { TokenRecord } from '../grants.js'
import { accountClaims } from '../id-token.js'

/** OpenID Connect userinfo, as at `https://openidconnect.googleapis.com/v1/userinfo`. */
export const USERINFO_PATH = '/v1/userinfo'
/** The older userinfo, as at `https://www.googleapis.com/oauth2/v2/userinfo`. */
const USERINFO_V2_PATH = '/oauth2/v2/userinfo'

const REALM = 'Bearer realm="https://accounts.google.com/"'

/**
 * The live access token of the `Authorization: Bearer` header, or a 401 sent. The token is
 * accepted in that header only (not in the query string or body).
 */
function authorize (ctx: FakeGoogleContext, request: FastifyRequest, reply: FastifyReply): TokenRecord | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  if (bearer === null) {
    reply.code(401).header('www-authenticate', REALM)
      .send({ error: 'invalid_request', error_description: 'You must provide an access token in the Authorization header.' })
    return undefined
  }
  const record = ctx.grants.accessToken(bearer[1]!)
  if (record === undefined) {
    reply.code(401).header('www-authenticate', `${REALM}, error="invalid_token"`)
      .send({ error: 'invalid_token', error_description: 'Invalid Credentials' })
  }
  return record
}

/** Picks claims in the order given, skipping absent ones. */
function ordered (claims: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => claims[n] !== undefined).map((n) => [n, claims[n]]))
}

/** `GET|POST /v1/userinfo` (OIDC claims) and `GET /oauth2/v2/userinfo` (v2 field names). */
export function userinfoRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  const oidc = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const record = authorize(ctx, request, reply)
    if (record === undefined) return reply
    const claims = accountClaims(record.account, record.scopes)
    return reply.send(ordered(claims, ['sub', 'name', 'given_name', 'family_name', 'picture', 'email', 'email_verified', 'locale', 'hd']))
  }
  app.get(USERINFO_PATH, { config: { endpoint: 'userinfo' } }, oidc)
  app.post(USERINFO_PATH, { config: { endpoint: 'userinfo' } }, oidc)

  app.get(USERINFO_V2_PATH, { config: { endpoint: 'userinfo' } }, async (request, reply) => {
    const record = authorize(ctx, request, reply)
    if (record === undefined) return reply
    const c = accountClaims(record.account, record.scopes)
    return reply.send(ordered({
      id: c.sub,
      email: c.email,
      verified_email: c.email_verified,
      name: c.name,
      given_name: c.given_name,
      family_name: c.family_name,
      picture: c.picture,
      locale: c.locale,
      hd: c.hd
    }, ['id', 'email', 'verified_email', 'name', 'given_name', 'family_name', 'picture', 'locale', 'hd']))
  })
}
