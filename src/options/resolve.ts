import { BASE_SCOPES } from '../google/endpoints.js'
import type { GoogleOAuthOptions } from '../options.js'
import { bearerFor } from './bearer.js'
import { invalid, MAX_MS } from './checks.js'
import { credentialsOf } from './client-secrets.js'
import { cookiesFor } from './cookie.js'
import { policiesOf } from './policies.js'
import type { ResolvedOptions } from './resolved.js'
import { checkCallback, routePaths } from './routes.js'
import { readOptions } from './table.js'
import { deviceBoundFor } from './device-bound.js'
import { riscFor } from './risc.js'
import { refuseUnknown } from './unknown.js'
import { riskyInProduction } from './warnings.js'

/** The default `absoluteTimeout`, unless `idleTimeout` is longer. */
const WEEK = 7 * 24 * 60 * 60_000

/**
 * Validates the options once, at registration, and applies defaults: every option through its
 * reader (`table.ts`), then the checks and defaults that involve several options.
 */
export function resolveOptions (raw: GoogleOAuthOptions): ResolvedOptions {
  if (typeof raw !== 'object' || raw === null) throw invalid('pass an options object: { clientId, clientSecret, callbackUrl, secret }.')
  refuseUnknown(raw)
  const read = readOptions(raw)
  const credentials = credentialsOf(read)
  const routes = routePaths(read.prefix, { risc: read.risc !== null, deviceBound: read.deviceBound !== null })
  const callback = read.callbackUrl
  checkCallback(callback, routes)
  const cookies = cookiesFor(read.cookie, callback)

  const idle = read.idleTimeout
  const absoluteTimeout = read.absoluteTimeout ?? Math.max(WEEK, Number.isFinite(idle) ? idle : 0)
  if (absoluteTimeout < idle && Number.isFinite(idle)) {
    throw invalid(`options.absoluteTimeout (${absoluteTimeout} ms) must not be shorter than options.idleTimeout (${idle} ms).`)
  }
  if (read.oneTap !== null && read.loginPage === false) {
    throw invalid('options.oneTap shows Google\'s button and One Tap on the login page, which loginPage: false removes. Keep the login page (or give your own with loginPage: (context) => html, which gets context.oneTap), or leave oneTap out.')
  }
  const policies = policiesOf(read)

  return {
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    callbackUrl: callback.href,
    appOrigin: callback.origin,
    secrets: read.secret,
    scopes: [...new Set([...BASE_SCOPES, ...read.scopes])],
    hostedDomain: policies.hostedDomains.length === 1 ? policies.hostedDomains[0]! : null,
    policies,
    onSignIn: read.onSignIn,
    onSignInTimeout: read.onSignInTimeout,
    onEvent: read.onEvent,
    bearer: bearerFor(read.bearer, credentials.clientId),
    oneTap: read.oneTap,
    risc: riscFor(read.risc, credentials.clientId),
    deviceBound: deviceBoundFor(read.deviceBound, callback),
    loginHint: read.loginHint,
    prompt: read.prompt,
    accessType: read.accessType,
    includeGrantedScopes: read.includeGrantedScopes,
    loginPage: read.loginPage,
    routes,
    routeOptions: read.routeOptions,
    loginUrl: read.loginUrl ?? (read.loginPage === false ? routes.start : routes.login),
    afterLogout: read.afterLogout,
    revokeOnLogout: read.revokeOnLogout,
    appName: read.appName ?? null,
    appUrl: read.appUrl,
    authenticateDecorator: read.authenticateDecorator,
    keepSessionInfo: read.keepSessionInfo,
    ...cookies,
    // No idle limit: a session lasts until its absolute one (an idle limit as long never comes first).
    idleTimeout: Math.min(idle, absoluteTimeout),
    absoluteTimeout,
    store: read.store,
    maxSessions: read.maxSessions,
    maxSessionsPerUser: read.maxSessionsPerUser,
    loginTimeout: read.loginTimeout,
    googleTimeout: read.googleTimeout,
    googleDeadline: Math.min(Math.round(read.googleTimeout * 2.5), MAX_MS),
    endpoints: read.endpoints,
    clock: read.clock,
    warnings: riskyInProduction(callback, read.endpoints, cookies.cookieName, {
      cookieName: read.cookie.name !== undefined,
      redirectUris: credentials.redirectUris,
      secretsFile: read.clientSecretsFile,
      policies
    })
  }
}
