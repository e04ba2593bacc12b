import type { Policies } from './resolved.js'
import { normaliseEmail } from '../sign-in/policies.js'
import { list, oneOf, type ListRule } from './readers.js'

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** Domains, lower-cased; an empty list is refused (it would admit nobody, or look like it admits everybody). */
const DOMAINS: ListRule = { of: 'domains such as ["example.com"]', test: (domain) => DOMAIN.test(domain), normalise: (domain) => domain.toLowerCase(), nonEmpty: true }

/** The readers of the options that say who may sign in. */
export const POLICY_READERS = {
  hostedDomain: list({ ...DOMAINS, single: true, or: 'a domain such as "example.com", or ' }),
  allowedEmails: list({ of: 'addresses such as ["ada@example.com"]', test: (email) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email), normalise: normaliseEmail, nonEmpty: true }),
  allowedDomains: list(DOMAINS),
  emailTrust: oneOf(['verified', 'authoritative'], 'verified')
}

/** Who may sign in: hosted domains, allowed emails and domains, and how far an email is trusted. */
export function policiesOf (read: { hostedDomain: string[], allowedEmails: string[], allowedDomains: string[], emailTrust: Policies['emailTrust'] }): Policies {
  return { hostedDomains: read.hostedDomain, allowedEmails: read.allowedEmails, allowedDomains: read.allowedDomains, emailTrust: read.emailTrust }
}
