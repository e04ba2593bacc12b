import { GOOGLE_ENDPOINTS, type GoogleEndpoints } from '../google/endpoints.js'
import type { GoogleOAuthEvent, LoginPageContext, OnSignIn } from '../hooks.js'
import type { GoogleOAuthOptions } from '../options.js'
import { DEFAULT_MAX_SESSIONS_PER_USER } from '../session/memory-store.js'
import type { SessionStoreLike } from '../types.js'
import { readBearer } from './bearer.js'
import { invalid, show } from './checks.js'
import { CLIENT_ID_HINT, CLIENT_SECRET_HINT } from './client-secrets.js'
import { readClock } from './clock.js'
import { readCookie } from './cookie.js'
import { POLICY_READERS } from './policies.js'
import { count, flag, flagOrSettings, hook, list, localPath, ms, oneOf, settings, text, url, type Reader } from './readers.js'
import { readDeviceBound } from './device-bound.js'
import { readRisc } from './risc.js'
import { readRouteOptions } from './route-options.js'
import { callbackHint, readPrefix } from './routes.js'

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

function readSecrets (value: unknown): string[] {
  const secrets = Array.isArray(value) ? value : [value]
  if (secrets.length === 0) throw invalid('options.secret must hold at least one secret.')
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 32) {
      throw invalid(`options.secret must be a string of at least 32 characters, or an array of them (got ${typeof secret === 'string' ? `a string of ${secret.length} characters` : show(secret)}). Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`)
    }
  }
  return secrets as string[]
}

const oneTapSettings = flagOrSettings({ button: flag(true), prompt: flag(true) })

function readOneTap (value: unknown, name: string, options: Readonly<Record<string, unknown>>): { button: boolean, prompt: boolean } | null {
  const oneTap = oneTapSettings(value, name, options)
  if (oneTap !== null && !oneTap.button && !oneTap.prompt) throw invalid('options.oneTap shows nothing with both button and prompt false: leave oneTap out instead.')
  return oneTap
}

function readDecoratorName (value: unknown): string | false {
  if (value === undefined) return 'authenticate'
  if (value === false) return false
  if (typeof value !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(value)) {
    throw invalid(`options.authenticateDecorator must be a name such as 'googleAuthenticate', or false (got ${show(value)}).`)
  }
  return value
}

const sessionKeys = list({ of: 'your session\'s keys such as [\'cart\'], other than the plugin\'s own (google*) and cookie', or: 'true, false, or ', test: (key) => key !== '' && !key.startsWith('google') && key !== 'cookie' })

function readKeepSessionInfo (value: unknown, name: string, options: Readonly<Record<string, unknown>>): boolean | readonly string[] {
  if (value === undefined || typeof value === 'boolean') return value ?? false
  return Object.freeze(sessionKeys(value, name, options))
}

function readStore (value: unknown): SessionStoreLike | null {
  if (value === undefined) return null
  const store = value as Record<string, unknown> | null
  if (typeof store !== 'object' || store === null || ['get', 'set', 'destroy'].some((method) => typeof store[method] !== 'function')) {
    throw invalid('options.store must be a @fastify/session store with get, set and destroy methods.')
  }
  return value as SessionStoreLike
}

/** One of Google's URLs, replaced. */
const endpoint: Reader<string | undefined> = (value, name, options) => value === undefined ? undefined : url()(value, name, options).href

/** Google's URLs, each replaceable; only those the plugin takes (the fake Google's `endpoints` hold the same). */
const readEndpoints = settings(
  { authorization: endpoint, token: endpoint, userinfo: endpoint, revocation: endpoint, jwks: endpoint, gsiClient: endpoint, riscConfiguration: endpoint } satisfies Record<keyof GoogleEndpoints, Reader<string | undefined>>,
  { noun: 'a known endpoint', note: (key) => key === 'certs' || key === 'discovery' ? ' (ID tokens are verified against jwks, and no discovery document is read)' : '' }
)

/**
 * One reader per option, in the order they are read. The compile-time check is the `satisfies`
 * below: an option added to `GoogleOAuthOptions` without a reader here, or a reader here for no
 * option of that type, fails to compile. Unknown options are refused by these keys (`unknown.ts`).
 */
export const READERS = {
  clientId: text(CLIENT_ID_HINT),
  clientSecret: text(CLIENT_SECRET_HINT),
  clientSecretsFile: text('Give the path of the JSON file downloaded from Google Cloud console.'),
  secret: readSecrets,
  prefix: readPrefix,
  routeOptions: readRouteOptions,
  callbackUrl: (value, name, options) => url(callbackHint(options))(value, name, options),
  scopes: list({ of: 'scope strings without spaces', test: (scope) => /^\S+$/.test(scope) }),
  hostedDomain: POLICY_READERS.hostedDomain,
  allowedEmails: POLICY_READERS.allowedEmails,
  allowedDomains: POLICY_READERS.allowedDomains,
  emailTrust: POLICY_READERS.emailTrust,
  onSignIn: hook<OnSignIn>(),
  onSignInTimeout: ms(10_000, { off: 'for no time limit' }),
  onEvent: hook<(event: GoogleOAuthEvent) => unknown>(),
  bearer: readBearer,
  oneTap: readOneTap,
  risc: readRisc,
  deviceBound: readDeviceBound,
  loginHint: text(),
  prompt: text(),
  accessType: oneOf(['online', 'offline'], 'online'),
  includeGrantedScopes: flag(undefined),
  loginPage: hook<(context: LoginPageContext) => string | Promise<string>>('a function returning HTML', true),
  loginUrl: localPath(undefined),
  afterLogout: localPath('/'),
  revokeOnLogout: flag(false),
  appName: text(),
  appUrl: localPath('/'),
  authenticateDecorator: readDecoratorName,
  keepSessionInfo: readKeepSessionInfo,
  cookie: readCookie,
  idleTimeout: ms(DAY, { off: 'to end sessions only at absoluteTimeout, however long they sit unused' }),
  absoluteTimeout: ms(undefined, { required: 'every session needs an end (the session cookie expires then)' }),
  store: readStore,
  maxSessions: count(10_000),
  maxSessionsPerUser: count(DEFAULT_MAX_SESSIONS_PER_USER),
  loginTimeout: ms(10 * MINUTE, { required: 'a started sign-in must expire, and its cookie and replay record last this long' }),
  googleTimeout: ms(4_000, { required: 'every call to Google needs a deadline' }),
  endpoints: (value, name, options): GoogleEndpoints => ({ ...GOOGLE_ENDPOINTS, ...definedOnly(readEndpoints(value, name, options)) }),
  clock: readClock
} satisfies { [K in keyof GoogleOAuthOptions]-?: Reader<unknown> }

/** Every option's name: what `unknown.ts` accepts and suggests. */
export const OPTION_NAMES: readonly string[] = Object.freeze(Object.keys(READERS))

/** Each option as its reader gives it. */
export type ReadOptions = { [K in keyof typeof READERS]: ReturnType<typeof READERS[K]> }

/** Reads every option through its reader, in the table's order. */
export function readOptions (raw: GoogleOAuthOptions): ReadOptions {
  const options = raw as unknown as Readonly<Record<string, unknown>>
  const read: Record<string, unknown> = {}
  for (const [name, reader] of Object.entries(READERS)) read[name] = (reader as Reader<unknown>)(options[name], name, options)
  return read as ReadOptions
}

function definedOnly<T extends object> (values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}
