import { finished, type Readable } from 'node:stream'
import nodeFetch, { AbortError, type RequestInit as NodeFetchInit, type Response as NodeFetchResponse } from 'node-fetch'
import { startDeadline, type Timers } from '../deadline.js'

/** Most bytes accepted from Google's token, revocation and key-set endpoints (their answers are a few KB). */
const GOOGLE_BODY_LIMIT = 1_000_000

/** The bound on each call to Google: `ms` on the plugin's clock. */
export interface CallDeadline {
  clock: Timers
  ms: number
}

const pathOf = (url: string | URL): string => {
  const parsed = new URL(url)
  return parsed.origin + parsed.pathname
}

/**
 * What a call cut off by its deadline fails with: what gaxios reports for its own `timeout`
 * (node-fetch's AbortError, code `TimeoutError`).
 */
const timedOut = (): Error => Object.assign(new AbortError('The operation was aborted due to timeout'), { code: 'TimeoutError' })

/**
 * A call bounded by `deadline`, from the request until its body was read: while no answer has come
 * the request is aborted, later the body is stopped (the connection with it); either way the call
 * fails with {@link timedOut}. A signal of the caller's own still aborts it too.
 */
async function boundedFetch (url: string | URL, init: NodeFetchInit, deadline: CallDeadline): Promise<Response> {
  /** The answer, once it has come. */
  let response: NodeFetchResponse | undefined
  const request = new AbortController()
  const limit = startDeadline(deadline.clock, deadline.ms, timedOut, (error) => {
    if (response === undefined) request.abort(error)
    else (response.body as unknown as Readable | null)?.destroy(error)
  })
  const caller = init.signal as AbortSignal | null | undefined
  const signal = caller ? AbortSignal.any([caller, request.signal]) : request.signal
  try {
    response = await nodeFetch(url, { ...init, signal: signal as NodeFetchInit['signal'] })
  } catch (error) {
    limit.clear()
    throw request.signal.aborted ? request.signal.reason : error
  }
  if (response.body === null) limit.clear()
  else finished(response.body as unknown as Readable, () => limit.clear())
  return response as unknown as Response
}

/**
 * The fetch google-auth-library uses (`transporterOptions.fetchImplementation`), and the key-set
 * download too. For calls to Google's token, revocation and key-set endpoints it enforces on the
 * connection itself what gaxios only configures: no redirect is ever followed (it would carry the client secret, the code and the
 * PKCE verifier elsewhere) and a body over {@link GOOGLE_BODY_LIMIT} is refused while it streams,
 * chunked or not. Other calls (the Google APIs an app calls through `request.googleAuth`) go out
 * as gaxios would send them. It is node-fetch, which gaxios itself uses on Node, and it keeps the
 * `agent` gaxios gives it, so proxy settings (`HTTPS_PROXY`, `NO_PROXY`) keep working.
 *
 * With `deadline`, each call (each try, when gaxios retries) is bounded on the plugin's clock, as
 * gaxios's own `timeout` would bound it on the system's; a call given a `timeout` of its own (an
 * app's call through `request.googleAuth`) is left to gaxios, which applies that one.
 */
export function googleAuthFetch (guardedEndpoints: readonly string[], deadline?: CallDeadline): typeof fetch {
  const guarded = new Set(guardedEndpoints.map(pathOf))
  return async (input, init) => {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url
    const options = init as (NodeFetchInit & { timeout?: unknown }) | undefined
    const limits: NodeFetchInit = guarded.has(pathOf(url)) ? { redirect: 'error', follow: 0, size: GOOGLE_BODY_LIMIT } : {}
    if (deadline !== undefined && options?.timeout === undefined) return await boundedFetch(url, { ...options, ...limits }, deadline)
    return await nodeFetch(url, { ...options, ...limits }) as unknown as Response
  }
}
