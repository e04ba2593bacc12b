import { Agent, request as httpRequest } from 'node:http'

/**
 * A tiny cookie-keeping HTTP client, enough to walk a sign-in: cookies per host (ports do not
 * isolate cookies, as in browsers) honouring Path and Max-Age/Expires, and redirects followed
 * across the app and the fake Google.
 */
interface Cookie { name: string, value: string, host: string, path: string, expires: number | null }

export interface Reply { status: number, headers: Record<string, string | string[] | undefined>, body: string }

const PAGE_HEADERS = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate' }

/** One HTTP/1.1 request with exactly the given headers. */
export function send (url: string, init: { method?: string, headers?: Record<string, string>, agent?: Agent | false } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent ?? false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end()
  })
}

export class CookieJar {
  readonly cookies: Cookie[] = []

  header (url: string): string | undefined {
    const target = new URL(url)
    const now = Date.now()
    const seen = new Set<string>()
    const pairs: string[] = []
    const matching = this.cookies
      .filter((c) => c.host === target.hostname && (c.expires === null || c.expires > now) &&
        (target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .sort((a, b) => b.path.length - a.path.length)
    for (const c of matching) {
      if (seen.has(c.name)) continue
      seen.add(c.name)
      pairs.push(`${c.name}=${c.value}`)
    }
    return pairs.length === 0 ? undefined : pairs.join('; ')
  }

  store (url: string, setCookie: string | string[] | undefined): void {
    const host = new URL(url).hostname
    for (const header of ([] as string[]).concat(setCookie ?? [])) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim())
      const eq = pair.indexOf('=')
      const cookie: Cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), host, path: '/', expires: null }
      for (const attribute of attributes) {
        const [key = '', value = ''] = attribute.split('=')
        const name = key.toLowerCase()
        if (name === 'path') cookie.path = value
        else if (name === 'max-age') cookie.expires = Date.now() + Number(value) * 1000
        else if (name === 'expires' && cookie.expires === null) cookie.expires = Date.parse(value)
      }
      const existing = this.cookies.findIndex((c) => c.name === cookie.name && c.host === host && c.path === cookie.path)
      if (existing !== -1) this.cookies.splice(existing, 1)
      if (cookie.expires === null || cookie.expires > Date.now()) this.cookies.push(cookie)
    }
  }

  /** The value of a cookie by name, as it would be sent to `url`. */
  get (url: string, name: string): string | undefined {
    const header = this.header(url)
    const pair = header?.split('; ').find((p) => p.startsWith(`${name}=`))
    return pair?.slice(name.length + 1)
  }
}

export interface Navigation { final: Reply, url: string, hops: number }

/**
 * A page navigation with the jar's cookies, following redirects until a non-redirect answer, or
 * until `stopAt(url)` is true for the next URL to visit (that URL is then returned unvisited).
 */
export async function navigate (jar: CookieJar, url: string, options: { agent?: Agent | false, stopAt?: (next: string) => boolean, maxHops?: number } = {}): Promise<Navigation> {
  let current = url
  for (let hop = 0; hop <= (options.maxHops ?? 10); hop++) {
    const cookie = jar.header(current)
    const reply = await send(current, { headers: { ...PAGE_HEADERS, ...(cookie === undefined ? {} : { cookie }) }, agent: options.agent ?? false })
    jar.store(current, reply.headers['set-cookie'])
    const location = reply.headers.location
    if (reply.status < 300 || reply.status >= 400 || typeof location !== 'string') return { final: reply, url: current, hops: hop + 1 }
    const next = new URL(location, current).href
    if (options.stopAt?.(next) === true) return { final: reply, url: next, hops: hop + 1 }
    current = next
  }
  throw new Error(`too many redirects from ${url}`)
}

/**
 * Signs in through GET /oauth2/google → the fake Google (auto consent) → the callback, and stops at
 * the callback's redirect to `returnTo` (not visited). Returns the session cookie as a
 * `name=value` header.
 */
export async function signIn (appUrl: string, cookieName: string, options: { agent?: Agent | false, returnTo?: string } = {}): Promise<string> {
  const jar = new CookieJar()
  const returnTo = options.returnTo ?? '/me'
  const target = new URL(returnTo, appUrl).href
  const result = await navigate(jar, `${appUrl}/oauth2/google?returnTo=${encodeURIComponent(returnTo)}`, {
    ...(options.agent !== undefined && { agent: options.agent }),
    stopAt: (next) => next === target
  })
  if (result.url !== target || result.final.status !== 303) {
    throw new Error(`sign-in did not end at ${returnTo}: ${result.final.status} at ${result.url} ${result.final.body.slice(0, 200)}`)
  }
  const value = jar.get(appUrl, cookieName)
  if (value === undefined) throw new Error(`sign-in set no ${cookieName} cookie`)
  return `${cookieName}=${value}`
}
