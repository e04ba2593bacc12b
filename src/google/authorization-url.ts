import { CodeChallengeMethod, type OAuth2Client } from 'google-auth-library'
import type { ResolvedOptions } from '../options.js'

/** What one sign-in attempt sends to Google. */
export interface AuthorizationRequest {
  state: string
  nonce: string
  /** The PKCE S256 challenge of the attempt's verifier (the verifier stays sealed in the attempt's cookie until the code exchange). */
  codeChallenge: string
}

/** What a grant of more scopes adds to a sign-in's request. */
export interface MoreScopes {
  /** The scopes to add to the configured ones. */
  scopes: readonly string[]
  /** Keeps the signed-in account selected at Google (its email, else its `sub`). */
  loginHint: string | null
}

/**
 * The URL of Google's authorization endpoint for one attempt: `response_type=code`, PKCE S256, and
 * the configured hints. A grant of more scopes asks for them with `include_granted_scopes`, so the
 * new tokens carry every scope granted so far.
 */
export function buildAuthorizationUrl (client: OAuth2Client, options: ResolvedOptions, request: AuthorizationRequest, more: MoreScopes | null = null): string {
  const loginHint = more?.loginHint ?? options.loginHint
  return client.generateAuthUrl({
    response_type: 'code',
    scope: more === null ? options.scopes : [...new Set([...options.scopes, ...more.scopes])],
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.codeChallenge,
    code_challenge_method: CodeChallengeMethod.S256,
    access_type: options.accessType,
    ...(options.prompt !== undefined && { prompt: options.prompt }),
    ...(loginHint !== undefined && loginHint !== null && { login_hint: loginHint }),
    ...(options.hostedDomain !== null && { hd: options.hostedDomain }),
    ...(more !== null
      ? { include_granted_scopes: true }
      : options.includeGrantedScopes !== undefined && { include_granted_scopes: options.includeGrantedScopes })
  })
}
