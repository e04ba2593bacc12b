import { GMAIL_DOMAINS, type GoogleEndpoints } from '../google/endpoints.js'
import type { GoogleOAuthOptions } from '../options.js'
import type { Policies, ResolvedOptions } from './resolved.js'
import { isLoopbackHost, show } from './checks.js'

/** Settings that pass validation but are risky in production (security checklist row 37). */
export function riskyInProduction (callback: URL, endpoints: GoogleEndpoints, cookieName: string, custom: { cookieName: boolean, redirectUris: unknown, secretsFile: unknown, policies: Policies }): string[] {
  if (callback.protocol !== 'https:') return []
  const warnings: string[] = []
  const local = Object.entries(endpoints).filter(([, url]) => {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || isLoopbackHost(parsed.hostname)
  })
  if (local.length > 0) {
    const names = local.map(([key]) => `options.endpoints.${key}`).join(', ')
    warnings.push(`${names} ${local.length === 1 ? 'points' : 'point'} at a local or plain-http server (${show(local[0]![1])}) while callbackUrl is https (production): Google's calls would go there, as to a fake Google in tests. Remove options.endpoints in production.`)
  }
  if (custom.cookieName && !cookieName.startsWith('__Host-')) {
    warnings.push(`options.cookie.name ${show(cookieName)} has no __Host- prefix on https: a sibling subdomain can plant a cookie of that name. Use a name starting with __Host- or remove options.cookie.name.`)
  }
  if (Array.isArray(custom.redirectUris) && !custom.redirectUris.includes(callback.href) && !custom.redirectUris.includes(callback.href.replace(/\/$/, ''))) {
    warnings.push(`options.clientSecretsFile ${show(custom.secretsFile)} does not list callbackUrl ${show(callback.href)} in its redirect_uris: Google will answer redirect_uri_mismatch unless it is registered. Add it under Authorized redirect URIs in Google Cloud console and download the file again.`)
  }
  const { policies } = custom
  // Addresses of other domains: Google vouched for them once, whoever holds them now.
  const byAddress = [...policies.allowedDomains, ...policies.allowedEmails.map((email) => email.slice(email.lastIndexOf('@') + 1))]
    .filter((domain) => !GMAIL_DOMAINS.includes(domain))
  if (policies.emailTrust === 'verified' && byAddress.length > 0) {
    warnings.push('options.allowedDomains / allowedEmails admit consumer Google accounts made on those addresses, which keep Google\'s "verified" mark after the address changes hands (someone who left the company, a lapsed domain). For a Google Workspace domain use hostedDomain, or set options.emailTrust: \'authoritative\' to count only addresses Google itself speaks for.')
  }
  return warnings
}

/**
 * Every warning logged at startup, in one list: the risky settings found in the options, an
 * environment that makes google-auth-library print tokens, and options that the app's own
 * @fastify/session (`hostSessions`) makes the plugin ignore.
 */
export function startupWarnings (options: Pick<ResolvedOptions, 'warnings'>, raw: GoogleOAuthOptions, hostSessions: boolean): string[] {
  const warnings = [...options.warnings]
  if (process.env.GOOGLE_SDK_NODE_LOGGING !== undefined) {
    warnings.push('GOOGLE_SDK_NODE_LOGGING is set, so google-auth-library prints token responses to stderr; unset it in production')
  }
  if (hostSessions && (raw.store !== undefined || raw.cookie !== undefined || raw.maxSessions !== undefined || raw.maxSessionsPerUser !== undefined)) {
    warnings.push('the app registered @fastify/session itself, so its store and cookie settings apply; the plugin\'s store, cookie, maxSessions and maxSessionsPerUser options are ignored')
  }
  return warnings.map((warning) => `fastify-google-oauth: ${warning}`)
}
