import type { FastifyInstance } from 'fastify'
import type { FakeGoogleContext } from '../context.js'
import { GOOGLE_ISSUER } from '../defaults.js'
import { AUTHORIZATION_PATH } from './authorization.js'
import { JWKS_PATH } from './certs.js'
import { REVOCATION_PATH } from './revocation.js'
import { TOKEN_PATH } from './token.js'
import { USERINFO_PATH } from './userinfo.js'

export const DISCOVERY_PATH = '/.well-known/openid-configuration'

/**
 * `GET /.well-known/openid-configuration`: Google's issuer, the fake's own endpoint URLs, and
 * what the fake supports (the code flow only).
 */
export function discoveryRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  app.get(DISCOVERY_PATH, { config: { endpoint: 'discovery' } }, async (_request, reply) => {
    const base = ctx.baseUrl
    return reply.header('cache-control', 'public, max-age=3600').send({
      issuer: GOOGLE_ISSUER,
      authorization_endpoint: base + AUTHORIZATION_PATH,
      token_endpoint: base + TOKEN_PATH,
      userinfo_endpoint: base + USERINFO_PATH,
      revocation_endpoint: base + REVOCATION_PATH,
      jwks_uri: base + JWKS_PATH,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: [
        'aud', 'email', 'email_verified', 'exp', 'family_name', 'given_name', 'iat', 'iss', 'name', 'picture', 'sub'
      ],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token']
    })
  })
}
