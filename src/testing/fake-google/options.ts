import { DEFAULT_ACCOUNTS, DEFAULT_CLIENT, initialsAvatar } from './defaults.js'
import type { FakeGoogleAccount, FakeGoogleClient, FakeGoogleOptions } from './types.js'

/** An account with its defaults filled in. */
export interface Account extends FakeGoogleAccount {
  emailVerified: boolean
  givenName: string
  picture: string
  locale: string
}

/** Options checked once, defaults applied. */
export interface Settings {
  clients: FakeGoogleClient[]
  accounts: Account[]
  autoConsent: boolean | string
  port: number
  host: string
  certsMaxAge: number
  accessTokenLifetime: number
  now: () => number
}

function fail (message: string): never {
  throw new TypeError(`startFakeGoogle: ${message}`)
}

function nonEmptyString (value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') fail(`${name} must be a non-empty string, got ${JSON.stringify(value)}`)
  return value
}

function integer (value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Checks a client and returns a copy. Throws a TypeError saying what to fix. */
export function checkClient (client: FakeGoogleClient, name = 'client'): FakeGoogleClient {
  if (client === null || typeof client !== 'object') fail(`${name} must be an object`)
  const clientId = nonEmptyString(client.clientId, `${name}.clientId`)
  const clientSecret = nonEmptyString(client.clientSecret, `${name}.clientSecret`)
  if (!Array.isArray(client.redirectUris)) fail(`${name}.redirectUris must be an array of absolute URLs`)
  const redirectUris = client.redirectUris.map((uri, i) => {
    const field = `${name}.redirectUris[${i}]`
    nonEmptyString(uri, field)
    if (!URL.canParse(uri)) fail(`${field} must be an absolute URL, got ${JSON.stringify(uri)}`)
    if (uri.includes('#')) fail(`${field} must not contain a fragment`)
    return uri
  })
  const checked: FakeGoogleClient = { clientId, clientSecret, redirectUris: Object.freeze(redirectUris) as string[] }
  if (client.javascriptOrigins !== undefined) {
    if (!Array.isArray(client.javascriptOrigins)) fail(`${name}.javascriptOrigins must be an array of origins such as "http://127.0.0.1:3000"`)
    checked.javascriptOrigins = Object.freeze(client.javascriptOrigins.map((origin, i) => {
      const field = `${name}.javascriptOrigins[${i}]`
      nonEmptyString(origin, field)
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        fail(`${field} must be an origin (scheme, host and port, no path or trailing slash) such as "http://127.0.0.1:3000", got ${JSON.stringify(origin)}`)
      }
      return origin
    })) as string[]
  }
  return Object.freeze(checked)
}

/** The client's authorized JavaScript origins: its `javascriptOrigins`, or the origins of its redirect URIs. */
export function javascriptOrigins (client: FakeGoogleClient): readonly string[] {
  return client.javascriptOrigins ?? [...new Set(client.redirectUris.map((uri) => new URL(uri).origin))]
}

/** Fills an account's defaults and checks it. Throws a TypeError saying what to fix. */
function checkAccount (account: FakeGoogleAccount, name = 'account'): Account {
  if (account === null || typeof account !== 'object') fail(`${name} must be an object`)
  const sub = nonEmptyString(account.sub, `${name}.sub`)
  if (sub.length > 255) fail(`${name}.sub must be at most 255 characters, as Google's`)
  const email = nonEmptyString(account.email, `${name}.email`)
  if (!email.includes('@')) fail(`${name}.email must be an email address, got ${JSON.stringify(email)}`)
  const displayName = nonEmptyString(account.name, `${name}.name`)
  const [first = displayName, ...rest] = displayName.split(/\s+/).filter(Boolean)
  const filled: Account = {
    sub,
    email,
    emailVerified: account.emailVerified ?? true,
    name: displayName,
    givenName: account.givenName ?? first,
    picture: account.picture ?? initialsAvatar(displayName, sub),
    locale: account.locale ?? 'en'
  }
  const familyName = account.familyName ?? (rest.length > 0 ? rest.join(' ') : undefined)
  if (familyName !== undefined) filled.familyName = familyName
  if (account.hd !== undefined) filled.hd = nonEmptyString(account.hd, `${name}.hd`)
  return Object.freeze(filled)
}

/** Finds the account whose email (case-insensitively) or sub is `key`. */
export function findAccount<A extends { sub: string, email: string }> (accounts: readonly A[], key: string): A | undefined {
  const lower = key.toLowerCase()
  return accounts.find((a) => a.sub === key || a.email.toLowerCase() === lower)
}

/** Checks an `autoConsent` value against the accounts. `'deny'` is accepted only when `allowDeny`. */
export function checkAutoConsent (value: unknown, accounts: readonly Account[], allowDeny: boolean): boolean | string {
  if (typeof value === 'boolean') return value
  if (typeof value !== 'string') fail(`autoConsent must be a boolean or an account's email or sub, got ${JSON.stringify(value)}`)
  if (allowDeny && value === 'deny') return value
  if (findAccount(accounts, value) === undefined) {
    fail(`autoConsent ${JSON.stringify(value)} matches no account's email or sub`)
  }
  return value
}

/** Lists the accounts (by email) and says how to add one: what an unknown account's error ends with. */
export function accountsHint (accounts: readonly FakeGoogleAccount[]): string {
  return `The fake Google's accounts are ${accounts.map((a) => a.email).join(', ')}. ` +
    'To add one, start it with startFakeGoogle({ accounts: [...DEFAULT_ACCOUNTS, { sub: \'100000000000000000099\', email: \'you@example.com\', name: \'Your Name\' }] }).'
}

/**
 * The `redirectUris` option: the default client's redirect URIs, replaced by the app's callback
 * URLs (an app on its own port). Throws a TypeError saying what to fix.
 */
function defaultClientFor (redirectUris: unknown, clients: unknown): FakeGoogleClient {
  const example = '["http://localhost:3000/oauth2/google/callback"]'
  if (clients !== undefined) {
    fail('give either clients or redirectUris, not both: redirectUris sets the redirect URIs of the default client (DEFAULT_CLIENT), clients replaces it (put the redirect URIs in each client\'s redirectUris)')
  }
  if (!Array.isArray(redirectUris) || redirectUris.length === 0) {
    fail(`redirectUris must be a non-empty array of your app's callback URLs, such as ${example}, got ${JSON.stringify(redirectUris)}`)
  }
  for (const [i, uri] of redirectUris.entries()) {
    if (typeof uri !== 'string' || !URL.canParse(uri) || !/^https?:$/.test(new URL(uri).protocol) || uri.includes('#')) {
      fail(`redirectUris[${i}] must be an absolute http or https URL without a #fragment (your app's callback URL, such as ${example.slice(1, -1)}), got ${JSON.stringify(uri)}`)
    }
  }
  return { ...DEFAULT_CLIENT, redirectUris: [...redirectUris as string[]] }
}

/** Validates the options of startFakeGoogle once and applies the defaults. */
export function resolveSettings (options: FakeGoogleOptions = {}): Settings {
  const given = options.redirectUris === undefined ? options.clients : [defaultClientFor(options.redirectUris, options.clients)]
  const clients = (given ?? [DEFAULT_CLIENT]).map((c, i) => checkClient(c, `clients[${i}]`))
  if (clients.length === 0) fail('clients must hold at least one client')
  if (new Set(clients.map((c) => c.clientId)).size !== clients.length) fail('clients must have distinct clientIds')
  const accounts = (options.accounts ?? DEFAULT_ACCOUNTS).map((a, i) => checkAccount(a, `accounts[${i}]`))
  if (accounts.length === 0) fail('accounts must hold at least one account')
  if (new Set(accounts.map((a) => a.sub)).size !== accounts.length) fail('accounts must have distinct subs')
  if (new Set(accounts.map((a) => a.email.toLowerCase())).size !== accounts.length) fail('accounts must have distinct emails')
  if (options.now !== undefined && typeof options.now !== 'function') fail('now must be a function returning milliseconds')
  return {
    clients,
    accounts,
    autoConsent: checkAutoConsent(options.autoConsent ?? false, accounts, false),
    port: integer(options.port, 'port', 0, 0),
    host: options.host === undefined ? '127.0.0.1' : nonEmptyString(options.host, 'host'),
    certsMaxAge: integer(options.certsMaxAge, 'certsMaxAge', 0, 21600),
    accessTokenLifetime: integer(options.accessTokenLifetime, 'accessTokenLifetime', 1, 3599),
    now: options.now ?? Date.now
  }
}
