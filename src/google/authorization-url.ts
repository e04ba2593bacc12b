import { CodeChallengeMethod, type OAuth2Client } from 'google-auth-library'
import type { ResolvedOptions } from '../options.js'

/** What one sign-in attempt sends to Google. */
export interface AuthorizationRequest {
  state: string
  nonce: string
  /** The PKCE S256 challenge of the attempt's verifier (the verifier itself never leaves the server). */
  codeChallenge: string
}

/** The URL of Google's authorization endpoint for one attempt: `response_type=code`, PKCE S256, and the configured hints. */
export function buildAuthorizationUrl (client: OAuth2Client, options: ResolvedOptions, request: AuthorizationRequest): string {
  return client.generateAuthUrl({
    response_type: 'code',
    scope: options.scopes,
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    access_type: options.accessType,
    ...(options.prompt !== undefined && { prompt: options.prompt }),
    ...(options.loginHint !== undefined && { login_hint: options.loginHint }),
    ...(options.hostedDomain !== null && { hd: options.hostedDomain }),
    ...(options.includeGrantedScopes !== undefined && { include_granted_scopes: options.includeGrantedScopes })
  })
}
