import type { GoogleOAuthOptions } from '../options.js'
import { normaliseEmail, type Policies } from '../sign-in/policies.js'
import { invalid, show } from './checks.js'

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** One domain or a list of them, lower-cased; an empty list is refused (it would admit nobody, or look like it admits everybody). */
function readDomains (name: string, value: unknown): string[] {
  if (value === undefined) return []
  const list = typeof value === 'string' && name === 'hostedDomain' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || list.some((domain) => typeof domain !== 'string' || !DOMAIN.test(domain.toLowerCase()))) {
    throw invalid(`options.${name} must be ${name === 'hostedDomain' ? 'a domain such as "example.com", or ' : ''}a non-empty array of domains such as ["example.com"] (got ${show(value)}).`)
  }
  return [...new Set((list as string[]).map((domain) => domain.toLowerCase()))]
}

function readEmails (value: unknown): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.length === 0 || value.some((email) => typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
    throw invalid(`options.allowedEmails must be a non-empty array of addresses such as ["ada@example.com"] (got ${show(value)}).`)
  }
  return [...new Set((value as string[]).map(normaliseEmail))]
}

function readEmailTrust (value: unknown): Policies['emailTrust'] {
  if (value === undefined) return 'verified'
  if (value !== 'verified' && value !== 'authoritative') throw invalid(`options.emailTrust must be 'verified' or 'authoritative' (got ${show(value)}).`)
  return value
}

/** Who may sign in: hosted domains, allowed emails and domains, and how far an email is trusted. */
export function readPolicies (raw: GoogleOAuthOptions): Policies {
  return {
    hostedDomains: readDomains('hostedDomain', raw.hostedDomain),
    allowedEmails: readEmails(raw.allowedEmails),
    allowedDomains: readDomains('allowedDomains', raw.allowedDomains),
    emailTrust: readEmailTrust(raw.emailTrust)
  }
}
