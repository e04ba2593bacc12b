import type { SignInRefusal } from '../events.js'
import type { GoogleUser } from '../types.js'

/** The rules of who may sign in that need no code, from the options. */
export interface Policies {
  /** Workspace domains (lower case) the `hd` claim must be one of; empty for any account. */
  hostedDomains: readonly string[]
  /** Exact addresses (the domain lower-cased) that may sign in. */
  allowedEmails: readonly string[]
  /** Domains (lower case) whose addresses may sign in. */
  allowedDomains: readonly string[]
  /**
   * Which addresses count for the two lists: `'verified'`, any Google marks verified;
   * `'authoritative'`, only those Google speaks for (a Gmail address, or a Workspace account's
   * address in its own domain: `hd` is the address's domain).
   */
  emailTrust: 'verified' | 'authoritative'
}

/** Domains whose addresses Google itself hosts. */
const GMAIL = ['gmail.com', 'googlemail.com']

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
  if (policies.emailTrust === 'authoritative' && !GMAIL.includes(domain) && user.hostedDomain?.toLowerCase() !== domain) return 'email-not-authoritative'
  return policies.allowedEmails.includes(email) || policies.allowedDomains.includes(domain) ? null : 'email-not-allowed'
}
