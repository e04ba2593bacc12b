import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { JWTAccess } from 'google-auth-library'
import { secureUrl } from '../options/checks.js'

/** The audience of the service account's JWT for the RISC API (Google's RISC guide). */
export const RISC_API_AUDIENCE = 'https://risc.googleapis.com/google.identity.risc.v1beta.RiscManagementService'
const RISC_API = 'https://risc.googleapis.com'
const PUSH_DELIVERY = 'https://schemas.openid.net/secevent/risc/delivery-method/push'
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/'
const OAUTH = 'https://schemas.openid.net/secevent/oauth/event-type/'
/** Every event type the plugin acts on or reports. */
export const EVENTS_REQUESTED = [
  `${RISC}sessions-revoked`, `${RISC}account-disabled`, `${RISC}account-enabled`,
  `${RISC}account-credential-change-required`, `${RISC}verification`, `${OAUTH}tokens-revoked`, `${OAUTH}token-revoked`
]

export const USAGE = `Registers the app's Cross-Account Protection receiver with Google (the RISC API).

  npx fastify-google-oauth risc register --service-account key.json --url https://app.example.com/oauth2/google/risc
  npx fastify-google-oauth risc status   --service-account key.json
  npx fastify-google-oauth risc verify   --service-account key.json [--state text]

  --service-account  the JSON key of a service account with the "RISC Configuration Admin" role
  --url              the plugin's receiver: <your origin><prefix>/oauth2/google/risc (https)
  --state            verify: a text Google sends back in the verification event (default: a timestamp)
  --api              the RISC API's origin (default ${RISC_API}; the fake Google's URL in tests)`

/** What the command writes to, and the fetch it calls the API with. */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  fetch?: typeof fetch
}

class UsageError extends Error {}

interface ServiceAccount { client_email: string, private_key: string, private_key_id: string }

async function readServiceAccount (path: string): Promise<ServiceAccount> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new UsageError(`--service-account ${path}: cannot read it as JSON (${(error as NodeJS.ErrnoException).code ?? 'not JSON'}). Give the key file downloaded from Google Cloud console (IAM > Service accounts > Keys).`)
  }
  const key = parsed as Partial<Record<keyof ServiceAccount, unknown>> & { type?: unknown }
  if (key.type !== 'service_account' || typeof key.client_email !== 'string' || typeof key.private_key !== 'string' || typeof key.private_key_id !== 'string') {
    throw new UsageError(`--service-account ${path}: not a service account key (it needs "type": "service_account", client_email, private_key and private_key_id).`)
  }
  return key as ServiceAccount
}

/** An https URL, or http on a loopback host (a local test). */
function receiverUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`--url ${value}: not a URL. Give the plugin's receiver, e.g. https://app.example.com/oauth2/google/risc.`)
  }
  const secure = secureUrl(url.href)
  if (secure === null) throw new UsageError(`--url ${value}: Google delivers only to https.`)
  return secure
}

/** Calls the RISC API as the service account (a self-signed JWT for the RISC audience, made by google-auth-library). */
async function callApi (io: CliIo, api: string, account: ServiceAccount, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const access = new JWTAccess(account.client_email, account.private_key, account.private_key_id)
  // Headers reads what the library gives, fetch Headers or a plain object.
  const authorization = new Headers(access.getRequestHeaders(RISC_API_AUDIENCE) as unknown as Record<string, string>).get('authorization')!
  const response = await (io.fetch ?? fetch)(new URL(path, api), {
    method,
    headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) })
  })
  const answer = await response.json().catch(() => ({})) as Record<string, unknown> & { error?: { message?: unknown, status?: unknown } }
  if (!response.ok) {
    const message = typeof answer.error?.message === 'string' ? answer.error.message : response.statusText
    throw new Error(`The RISC API answered ${response.status}${typeof answer.error?.status === 'string' ? ` ${answer.error.status}` : ''}: ${message}`)
  }
  return answer
}

/** Runs `risc register|status|verify`; the exit code (0 done, 1 the API refused or failed, 2 a usage error). */
export async function runRisc (argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'service-account': { type: 'string' }, url: { type: 'string' }, state: { type: 'string' }, api: { type: 'string' }, help: { type: 'boolean' } }
    })
    const [group, command] = positionals
    if (values.help === true) { io.out(USAGE); return 0 }
    if (group !== 'risc' || !['register', 'status', 'verify'].includes(command ?? '') || positionals.length !== 2) throw new UsageError(`Unknown command: ${positionals.join(' ') || '(none)'}.`)
    if (values['service-account'] === undefined) throw new UsageError('--service-account is required.')
    const api = values.api ?? RISC_API
    const account = await readServiceAccount(values['service-account'])
    if (command === 'register') {
      if (values.url === undefined) throw new UsageError('--url is required: the plugin\'s receiver, e.g. https://app.example.com/oauth2/google/risc.')
      const url = receiverUrl(values.url)
      await callApi(io, api, account, 'POST', '/v1beta/stream:update', { delivery: { delivery_method: PUSH_DELIVERY, url }, events_requested: EVENTS_REQUESTED })
      io.out(`Registered ${url} for ${EVENTS_REQUESTED.length} event types. Check it with: npx fastify-google-oauth risc verify --service-account ${values['service-account']}`)
    } else if (command === 'status') {
      const stream = await callApi(io, api, account, 'GET', '/v1beta/stream') as { delivery?: { url?: unknown }, events_requested?: unknown[] }
      io.out(`Receiver: ${String(stream.delivery?.url)}\nEvents requested: ${(stream.events_requested ?? []).map((uri) => String(uri).replace(/.*\//, '')).join(', ')}`)
    } else {
      const state = values.state ?? `fastify-google-oauth ${new Date().toISOString()}`
      await callApi(io, api, account, 'POST', '/v1beta/stream:verify', { state })
      io.out(`Google sent a verification event with state "${state}"; the app's onEvent gets it as a security-event of eventType "verification".`)
    }
    return 0
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    io.err(usage ? `${(error as Error).message}\n\n${USAGE}` : (error as Error).message)
    return usage ? 2 : 1
  }
}
