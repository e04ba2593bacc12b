import t from 'tap'
import { normaliseEmail, refusalOf, type Policies } from '../../src/sign-in/policies.js'
import { DEFAULT_ACCOUNTS, googleUserOf } from '../../src/testing/index.js'

const none: Policies = { hostedDomains: [], allowedEmails: [], allowedDomains: [], emailTrust: 'verified' }
/** Ada (ada@example.com, verified), with some claims replaced. */
const user = (claims: Record<string, unknown>) => googleUserOf(DEFAULT_ACCOUNTS[0]!, claims)

t.test('normaliseEmail lower-cases the domain only', async (t) => {
  t.equal(normaliseEmail('Ada.L@Example.COM'), 'Ada.L@example.com')
  t.equal(normaliseEmail('"a@b"@Example.com'), '"a@b"@example.com', 'the last @ splits')
})

t.test('no policy admits everybody, verified or not', async (t) => {
  t.equal(refusalOf(user({ email_verified: false }), none), null)
})

t.test('hostedDomains: the hd claim must be one of them', async (t) => {
  const policies = { ...none, hostedDomains: ['analytical.example', 'b.example'] }
  t.equal(refusalOf(user({ hd: 'analytical.example' }), policies), null)
  t.equal(refusalOf(user({ hd: 'Analytical.Example' }), policies), null, 'in any case')
  t.equal(refusalOf(user({ hd: 'other.example' }), policies), 'hosted-domain')
  t.equal(refusalOf(user({}), policies), 'hosted-domain', 'a consumer account has none')
})

t.test('allowedEmails and allowedDomains: verified addresses, either list admits', async (t) => {
  const policies = { ...none, allowedEmails: ['grace@navy.example'], allowedDomains: ['example.com'] }
  t.equal(refusalOf(user({}), policies), null, 'by domain')
  t.equal(refusalOf(user({ email: 'grace@NAVY.example' }), policies), null, 'by address, domain in any case')
  t.equal(refusalOf(user({ email: 'Grace@navy.example' }), policies), 'email-not-allowed', 'the local part exactly')
  t.equal(refusalOf(user({ email: 'ada@sub.example.com' }), policies), 'email-not-allowed', 'a subdomain is another domain')
  t.equal(refusalOf(user({ email: 'ada@example.com.evil.example' }), policies), 'email-not-allowed')
  t.equal(refusalOf(user({ email_verified: false }), policies), 'email-not-verified')
  t.equal(refusalOf(user({ email_verified: 'true' }), policies), 'email-not-verified', 'only a boolean true counts')
  t.equal(refusalOf(user({ email: undefined }), policies), 'email-not-verified', 'no address')
})

t.test('emailTrust authoritative: only addresses Google speaks for (Gmail, or a Workspace account in its own domain)', async (t) => {
  const policies: Policies = { ...none, allowedDomains: ['example.com', 'gmail.com', 'analytical.example'], emailTrust: 'authoritative' }
  t.equal(refusalOf(user({}), policies), 'email-not-authoritative', 'a consumer account on a company address')
  t.equal(refusalOf(user({ email: 'ada@gmail.com' }), policies), null, 'Gmail')
  t.equal(refusalOf(user({ email: 'charles@analytical.example', hd: 'analytical.example' }), policies), null, 'Workspace, own domain')
  t.equal(refusalOf(user({ email: 'charles@example.com', hd: 'analytical.example' }), policies), 'email-not-authoritative', 'Workspace, another domain\'s address')
  t.equal(refusalOf(user({}), { ...policies, emailTrust: 'verified' }), null, 'verified counts by default')
})
