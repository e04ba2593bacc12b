import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import type { GoogleEndpoints } from '../../google/endpoints.js'
import { Behaviours, canMisbehave, REDIRECT_TARGET_PATH } from './behaviour.js'
import type { FakeGoogleContext } from './context.js'
import { Grants } from './grants.js'
import { idTokenFor, issueCodeFor, oneTapCredentialFor } from './issue.js'
import { KeyRing, startupSigningKeys } from './keys.js'
import { checkAutoConsent, checkClient, resolveSettings } from './options.js'
import { registerFormParser } from './params.js'
import { AUTHORIZATION_PATH, authorizationRoutes } from './routes/authorization.js'
import { CALENDAR_LIST_PATH, calendarRoutes } from './routes/calendar.js'
import { certsRoutes, JWKS_PATH, PEM_CERTS_PATH } from './routes/certs.js'
import { DISCOVERY_PATH, discoveryRoutes } from './routes/discovery.js'
import { GSI_CLIENT_PATH, gsiRoutes } from './routes/gsi.js'
import { REVOCATION_PATH, revocationRoutes } from './routes/revocation.js'
import { RISC_CONFIGURATION_PATH, riscRoutes, STREAM_PATH } from './routes/risc.js'
import { deliverSecurityEvent, RiscState, securityEventToken } from './risc.js'
import { TOKEN_PATH, tokenRoutes } from './routes/token.js'
import { USERINFO_PATH, userinfoRoutes } from './routes/userinfo.js'
import { declinedScopes } from './scopes.js'
import type { FakeGoogle, FakeGoogleOptions, FakeGoogleRequest } from './types.js'

interface RouteConfig {
  endpoint?: FakeGoogleRequest['endpoint']
  /** Never misbehaves (the chooser's form submission). */
  exempt?: boolean
}

function routeConfig (request: FastifyRequest): RouteConfig {
  return (request.routeOptions.config ?? {}) as RouteConfig
}

/** Records each request (no query, body or headers) and applies the endpoint's misbehaviour. */
function instrument (app: FastifyInstance, ctx: FakeGoogleContext): void {
  app.addHook('onRequest', async (request, reply) => {
    const { endpoint, exempt } = routeConfig(request)
    ctx.requests.push({
      endpoint: endpoint ?? 'other',
      method: request.method,
      path: request.url.split('?')[0]!,
      at: ctx.settings.now()
    })
    if (endpoint === undefined || !canMisbehave(endpoint) || exempt === true) return
    const behaviour = ctx.behaviours.take(endpoint)
    if (behaviour !== undefined && await ctx.behaviours.apply(behaviour, request, reply)) return reply
  })
  app.addHook('onSend', async (request, _reply, payload) => ctx.behaviours.transform(request, payload))
}

/** Where the 'redirect' misbehaviour points: it answers as Google would, so only `requests` tells it was reached. */
function redirectTargetRoute (app: FastifyInstance): void {
  app.all(REDIRECT_TARGET_PATH, async (_request, reply) =>
    reply.code(200).send({ access_token: 'ya29.redirected', expires_in: 3599, token_type: 'Bearer', scope: 'openid' }))
}

/**
 * Starts a fake Google identity provider: a real HTTP server (its own Fastify instance) on
 * `127.0.0.1` and a free port, serving Google's OAuth 2.0 and OpenID Connect endpoints at
 * Google's paths. Point the plugin at it with {@link FakeGoogle.pluginOptions} (google-auth-library
 * with {@link FakeGoogle.oauth2ClientEndpoints}, `@googleapis/*` clients with
 * {@link FakeGoogle.rootUrl}) and close it when done.
 *
 * For a development server on a port of your choice, one call registers your callback URL:
 * `startFakeGoogle({ port: 4000, redirectUris: ['http://localhost:3000/oauth2/google/callback'] })`.
 *
 * @example
 * ```ts
 * const google = await startFakeGoogle({ autoConsent: 'ada@example.com' })
 * const client = new OAuth2Client({
 *   clientId: DEFAULT_CLIENT.clientId,
 *   clientSecret: DEFAULT_CLIENT.clientSecret,
 *   endpoints: google.oauth2ClientEndpoints,
 *   issuers: ['https://accounts.google.com']
 * })
 * // … drive the sign-in …
 * await google.close()
 * ```
 */
export async function startFakeGoogle (options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const settings = resolveSettings(options)
  const [first, second] = await startupSigningKeys()
  const ctx: FakeGoogleContext = {
    settings,
    clients: new Map(settings.clients.map((c) => [c.clientId, c])),
    accounts: Object.freeze(settings.accounts),
    keys: new KeyRing(first, second),
    grants: new Grants(settings.now),
    behaviours: new Behaviours(),
    requests: [],
    autoConsent: settings.autoConsent,
    tamperer: null,
    declined: null,
    risc: new RiscState(),
    baseUrl: ''
  }

  const app = Fastify({ logger: false, forceCloseConnections: true, return503OnClosing: false })
  registerFormParser(app)
  instrument(app, ctx)
  authorizationRoutes(app, ctx)
  tokenRoutes(app, ctx)
  userinfoRoutes(app, ctx)
  revocationRoutes(app, ctx)
  certsRoutes(app, ctx)
  discoveryRoutes(app, ctx)
  gsiRoutes(app, ctx)
  calendarRoutes(app, ctx)
  riscRoutes(app, ctx)
  redirectTargetRoute(app)

  await app.listen({ port: settings.port, host: settings.host })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('startFakeGoogle: the server has no TCP address')
  // A wildcard address is reachable through loopback; name that in the URLs.
  const ip = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address
  const host = ip.includes(':') ? `[${ip}]` : ip
  const url = `http://${host}:${address.port}`
  ctx.baseUrl = url

  // Exactly the plugin's endpoints, so that its `endpoints` option takes them as they are.
  const endpoints = Object.freeze({
    authorization: url + AUTHORIZATION_PATH,
    token: url + TOKEN_PATH,
    userinfo: url + USERINFO_PATH,
    revocation: url + REVOCATION_PATH,
    jwks: url + JWKS_PATH,
    gsiClient: url + GSI_CLIENT_PATH,
    riscConfiguration: url + RISC_CONFIGURATION_PATH
  } satisfies Record<keyof GoogleEndpoints, string>)
  const urls = Object.freeze({ certs: url + PEM_CERTS_PATH, discovery: url + DISCOVERY_PATH })
  let closing: Promise<void> | undefined

  return {
    url,
    endpoints,
    urls,
    apis: Object.freeze({ calendarList: url + CALENDAR_LIST_PATH, risc: `${url}${STREAM_PATH}` }),
    rootUrl: `${url}/`,
    oauth2ClientEndpoints: Object.freeze({
      oauth2AuthBaseUrl: endpoints.authorization,
      oauth2TokenUrl: endpoints.token,
      oauth2RevokeUrl: endpoints.revocation,
      oauth2FederatedSignonPemCertsUrl: urls.certs,
      oauth2FederatedSignonJwkCertsUrl: endpoints.jwks
    }),
    accounts: ctx.accounts,
    get clients () {
      return Object.freeze([...ctx.clients.values()])
    },
    get signingKey () {
      return Object.freeze({ kid: ctx.keys.current.kid, publicKeyPem: ctx.keys.current.publicKeyPem })
    },
    get requests (): ReadonlyArray<FakeGoogleRequest> {
      return ctx.requests.map((r) => Object.freeze({ ...r }))
    },
    pluginOptions (options = {}) {
      const client = options.clientId === undefined ? ctx.clients.values().next().value : ctx.clients.get(options.clientId)
      if (client === undefined) {
        throw new TypeError(`pluginOptions: no client ${JSON.stringify(options.clientId)} is registered (there are ${[...ctx.clients.keys()].map((id) => JSON.stringify(id)).join(', ')}); register it with addClient or the clients option`)
      }
      const callbackUrl = options.callbackUrl ?? client.redirectUris[0]
      if (callbackUrl === undefined || !client.redirectUris.includes(callbackUrl)) {
        throw new TypeError(`pluginOptions: ${JSON.stringify(callbackUrl)} is not a redirect URI of client ${client.clientId}; register it in the client's redirectUris`)
      }
      return { clientId: client.clientId, clientSecret: client.clientSecret, callbackUrl, endpoints }
    },
    addClient (client) {
      const checked = checkClient(client)
      if (ctx.clients.has(checked.clientId)) throw new TypeError(`addClient: client ${JSON.stringify(checked.clientId)} exists`)
      ctx.clients.set(checked.clientId, checked)
    },
    setAutoConsent (value) {
      ctx.autoConsent = checkAutoConsent(value, ctx.accounts, true)
    },
    misbehave (endpoint, behaviour, opts) {
      ctx.behaviours.set(endpoint, behaviour, opts?.times)
    },
    reset () {
      ctx.behaviours.clear()
      ctx.tamperer = null
      ctx.declined = null
      ctx.autoConsent = settings.autoConsent
    },
    rotateKeys () {
      ctx.keys.rotate()
    },
    tamperIdToken (fn) {
      if (fn !== null && typeof fn !== 'function') throw new TypeError('tamperIdToken: pass a function or null')
      ctx.tamperer = fn
    },
    issueCodeFor (account, opts) {
      return issueCodeFor(ctx, account, opts)
    },
    idTokenFor (account, opts) {
      return idTokenFor(ctx, account, opts)
    },
    oneTapCredentialFor (account, opts) {
      return oneTapCredentialFor(ctx, account, opts)
    },
    declineScopes (scopes) {
      ctx.declined = declinedScopes(scopes)
    },
    revokeAll () {
      ctx.grants.revokeAll()
    },
    get riscStream () {
      return ctx.risc.stream === null ? null : Object.freeze({ ...ctx.risc.stream, eventsRequested: [...ctx.risc.stream.eventsRequested] })
    },
    createServiceAccount: () => ctx.risc.createServiceAccount(),
    securityEventToken: (event, opts) => securityEventToken(ctx, event, opts).token,
    sendSecurityEvent: async (event, opts) => await deliverSecurityEvent(ctx, event, opts),
    async close () {
      closing ??= (async () => {
        ctx.behaviours.releaseAll()
        await app.close()
      })()
      await closing
    }
  }
}
