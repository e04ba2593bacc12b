/**
 * A fake Google identity provider for testing apps that use "Sign in with Google":
 * a real local HTTP server speaking Google's OAuth 2.0 and OpenID Connect endpoints, with an
 * account chooser, RS256 ID tokens, refresh and revocation, and switchable misbehaviour.
 *
 * ```ts
 * import { startFakeGoogle, signInAs, DEFAULT_CLIENT } from 'fastify-google-oauth/testing'
 * ```
 *
 * @module
 */
export { startFakeGoogle } from './fake-google/server.js'
export { googleUserOf, signInAs, type SignedIn, type SignInAsOptions } from './sign-in-as.js'
export { DEFAULT_ACCOUNTS, DEFAULT_CLIENT, GOOGLE_ISSUER } from './fake-google/defaults.js'
export type {
  FakeGoogle,
  FakeGoogleAccount,
  FakeGoogleApis,
  FakeGoogleClient,
  FakeGoogleEndpoint,
  FakeGoogleEndpoints,
  FakeGoogleOptions,
  FakeGooglePluginOptions,
  FakeGooglePluginOptionsFor,
  FakeGoogleRequest,
  FakeRiscStream,
  FakeSecurityEvent,
  FakeSecurityEventType,
  FakeServiceAccountKey,
  SecurityEventAnswer,
  SecurityEventDelivery,
  SecurityEventOptions,
  FakeGoogleUrls,
  IdTokenForOptions,
  IdTokenParts,
  IdTokenSigning,
  IdTokenTamperer,
  IdTokenTampering,
  IssueCodeOptions,
  IssuedCode,
  Misbehaviour,
  OAuth2ClientEndpoints,
  OneTapCredentialOptions
} from './fake-google/types.js'
