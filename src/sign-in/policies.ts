import { GMAIL_DOMAINS } from '../google/endpoints.js'
import type { SignInRefusal } from '../hooks.js'
import type { Policies } from '../options/resolved.js'
import type { GoogleUser } from '../types.js'

export type { Policies } from '../options/resolved.js'

/** An address with its domain lower-cased: `Ada@Example.COM` → `Ada@example.com`. */
export function normaliseEmail (email: string): string {
  const at = email.lastIndexOf('@')
  return at === -1 ? email : email.slice(0, at + 1) + email.slice(at + 1).toLowerCase()
}

/**
 * Why the policies refuse this user, or null when they may sign in. With `allowedEmails` or
 * `allowedDomains`, only a verified address counts; either list admits the user.
 */
export function refusalOf (user: GoogleUser, policies: Policies): SignInRefusal | null {
  if (policies.hostedDomains.length > 0 && !policies.hostedDomains.includes(user.hostedDomain?.toLowerCase() ?? '')) return 'hosted-domain'
  if (policies.allowedEmails.length === 0 && policies.allowedDomains.length === 0) return null
  if (user.email === null || !user.emailVerified) return 'email-not-verified'
  const email = normaliseEmail(user.email)
  const domain = email.slice(email.lastIndexOf('@') + 1)
  // Google verified a third-party address once; whoever holds it now may be someone else.
  if (policies.emailTrust === 'authoritative' && !GMAIL_DOMAINS.includes(domain) && user.hostedDomain?.toLowerCase() !== domain) return 'email-not-authoritative'
  return policies.allowedEmails.includes(email) || policies.allowedDomains.includes(domain) ? null : 'email-not-allowed'
}
