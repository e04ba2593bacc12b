import nodeFetch, { type RequestInit as NodeFetchInit } from 'node-fetch'

/** Most bytes accepted from Google's token, revocation and key-set endpoints (their answers are a few KB). */
const GOOGLE_BODY_LIMIT = 1_000_000

const pathOf = (url: string | URL): string => {
  const parsed = new URL(url)
  return parsed.origin + parsed.pathname
}

/**
 * The fetch google-auth-library uses (`transporterOptions.fetchImplementation`), and the key-set
 * download too. For calls to Google's token, revocation and key-set endpoints it enforces on the
 * connection itself what gaxios only configures: no redirect is ever followed (it would carry the client secret, the code and the
 * PKCE verifier elsewhere) and a body over {@link GOOGLE_BODY_LIMIT} is refused while it streams,
 * chunked or not. Other calls (the Google APIs an app calls through `request.googleAuth`) go out
 * as gaxios would send them. It is node-fetch, which gaxios itself uses on Node, and it keeps the
 * `agent` gaxios gives it, so proxy settings (`HTTPS_PROXY`, `NO_PROXY`) keep working.
 */
export function googleAuthFetch (guardedEndpoints: readonly string[]): typeof fetch {
  const guarded = new Set(guardedEndpoints.map(pathOf))
  return async (input, init) => {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url
    const options = init as NodeFetchInit | undefined
    const limits: NodeFetchInit = guarded.has(pathOf(url)) ? { redirect: 'error', follow: 0, size: GOOGLE_BODY_LIMIT } : {}
    return await nodeFetch(url, { ...options, ...limits }) as unknown as Response
  }
}
