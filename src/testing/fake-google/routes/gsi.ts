import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FakeGoogleContext } from '../context.js'
import { gsiScript, gsiScriptConfig } from '../gsi-script.js'
import { GSI_STYLE } from '../gsi-style.js'
import { mintOneTapCredential } from '../id-token.js'
import { javascriptOrigins } from '../options.js'

/** Google Identity Services' script, as at `https://accounts.google.com/gsi/client`. */
export const GSI_CLIENT_PATH = '/gsi/client'
/** Its stylesheet, as at `https://accounts.google.com/gsi/style`. */
const GSI_STYLE_PATH = '/gsi/style'
/** Where the script asks for a credential for the chosen account. */
const GSI_CREDENTIAL_PATH = '/gsi/credential'

/** The `select_by` values Google's script reports. */
const SELECT_BY = [
  'auto', 'user', 'user_1tap', 'user_2tap', 'fedcm', 'fedcm_auto', 'itp', 'itp_confirm', 'itp_add_session',
  'itp_confirm_add_session', 'btn', 'btn_confirm', 'btn_add_session', 'btn_confirm_add_session'
]

const NO_STORE = 'no-cache, no-store, max-age=0, must-revalidate'

/**
 * The request's `Origin` when it is an authorized JavaScript origin of some registered client:
 * the only origins CORS lets read the answers.
 */
function corsOrigin (ctx: FakeGoogleContext, request: FastifyRequest): string | undefined {
  const origin = request.headers.origin
  if (typeof origin !== 'string') return undefined
  for (const client of ctx.clients.values()) {
    if (javascriptOrigins(client).includes(origin)) return origin
  }
  return undefined
}

function refuse (reply: FastifyReply, error: 'invalid_client' | 'origin_mismatch' | 'access_denied' | 'invalid_request'): FastifyReply {
  return reply.code(400).send({ error })
}

/**
 * `GET /gsi/client` (the script), `GET /gsi/style` (its stylesheet), and `POST /gsi/credential`
 * with its CORS preflight: a stand-in for Google Identity Services, the "Sign in with Google"
 * button and One Tap.
 */
export function gsiRoutes (app: FastifyInstance, ctx: FakeGoogleContext): void {
  const gsi = { config: { endpoint: 'gsi' } }

  app.get(GSI_CLIENT_PATH, gsi, async (_request, reply) => reply
    .header('cache-control', NO_STORE)
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('x-content-type-options', 'nosniff')
    .type('text/javascript; charset=utf-8')
    .send(gsiScript(gsiScriptConfig({
      origin: ctx.baseUrl,
      styleUrl: ctx.baseUrl + GSI_STYLE_PATH,
      credentialUrl: ctx.baseUrl + GSI_CREDENTIAL_PATH
    }, ctx.accounts, ctx.autoConsent))))

  app.get(GSI_STYLE_PATH, gsi, async (_request, reply) => reply
    .header('cache-control', 'public, max-age=3600')
    .header('cross-origin-resource-policy', 'cross-origin')
    .header('x-content-type-options', 'nosniff')
    .type('text/css; charset=utf-8')
    .send(GSI_STYLE))

  app.options(GSI_CREDENTIAL_PATH, gsi, async (request, reply) => {
    reply.header('vary', 'Origin')
    const origin = corsOrigin(ctx, request)
    if (origin !== undefined) {
      reply.header('access-control-allow-origin', origin)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '3600')
    }
    return reply.code(204).send()
  })

  app.post(GSI_CREDENTIAL_PATH, gsi, async (request, reply) => {
    reply.header('vary', 'Origin').header('cache-control', NO_STORE)
    const allowed = corsOrigin(ctx, request)
    if (allowed !== undefined) reply.header('access-control-allow-origin', allowed)
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>
    const client = typeof body.client_id === 'string' ? ctx.clients.get(body.client_id) : undefined
    if (client === undefined) return refuse(reply, 'invalid_client')
    const origin = request.headers.origin
    if (typeof origin !== 'string' || !javascriptOrigins(client).includes(origin)) return refuse(reply, 'origin_mismatch')
    if (ctx.autoConsent === 'deny') return refuse(reply, 'access_denied')
    const account = ctx.accounts.find((a) => a.sub === body.sub)
    const nonce = body.nonce
    const selectBy = body.select_by
    if (account === undefined || (nonce !== undefined && (typeof nonce !== 'string' || nonce === '')) ||
      typeof selectBy !== 'string' || !SELECT_BY.includes(selectBy)) {
      return refuse(reply, 'invalid_request')
    }
    const credential = mintOneTapCredential(ctx, client.clientId, account, nonce === undefined ? {} : { nonce })
    return reply.code(200).send({ credential })
  })
}
