import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { send } from './http-client.js'
import { firstMessage, spawnNode } from './proc.js'
import type { BenchConfig, ServerReady } from './servers/configs.js'

const MAIN = fileURLToPath(new URL('./servers/main.ts', import.meta.url))

export interface RunningServer {
  config: BenchConfig
  child: ChildProcess
  pid: number
  url: string
  cookie: string | null
}

/** Starts a configuration's server in its own process pinned to CPU 0, signed in if it needs to be. */
export async function startServer (config: BenchConfig, options: { redisPrefix: string, nodeArgs?: string[] }): Promise<RunningServer> {
  const child = spawnNode(MAIN, [config.server, config.variant, options.redisPrefix], { cpu: 0, ...(options.nodeArgs && { nodeArgs: options.nodeArgs }) })
  const ready = await firstMessage<ServerReady>(child, 60_000)
  if (child.pid === undefined) throw new Error(`${config.id}: no pid`)
  return { config, child, pid: child.pid, url: `http://127.0.0.1:${ready.port}`, cookie: ready.cookie }
}

const EXPECTED_EMAIL = 'ada@example.com'

/**
 * Checks that the server behaves as its configuration says before it is measured: the signed-in
 * request gets 200 with the user, a request without a cookie gets 401 (guarded configurations).
 * Throws with what was wrong.
 */
export async function verifyServer (server: RunningServer): Promise<void> {
  const { config, url, cookie } = server
  const problems: string[] = []
  const get = (withCookie: string | null) => send(`${url}/me`, { headers: withCookie === null ? { accept: 'application/json' } : { accept: 'application/json', cookie: withCookie } })

  if (config.signedIn || config.id === 'bare') {
    if (config.signedIn && cookie === null) problems.push('no signed-in cookie')
    const reply = await get(config.signedIn ? cookie : null)
    let email: unknown
    try { email = (JSON.parse(reply.body) as { email?: unknown }).email } catch { email = undefined }
    if (reply.status !== 200 || email !== EXPECTED_EMAIL) problems.push(`signed-in GET /me: ${reply.status} ${reply.body.slice(0, 120)}`)
    // A second request must still be signed in (sessions that roll or get re-saved).
    if (config.signedIn) {
      const again = await get(cookie)
      if (again.status !== 200) problems.push(`second signed-in GET /me: ${again.status}`)
    }
  }
  if (config.server !== 'bare' || config.variant === '401') {
    const reply = await get(null)
    let code: unknown
    try { code = (JSON.parse(reply.body) as { code?: unknown }).code } catch { code = undefined }
    if (reply.status !== 401) problems.push(`GET /me without cookie: ${reply.status} (expected 401)`)
    else if (code !== 'FST_GOOGLE_OAUTH_UNAUTHENTICATED') problems.push(`GET /me without cookie: unexpected 401 body ${reply.body.slice(0, 120)}`)
    if (cookie !== null) {
      // A forged cookie must not sign anyone in.
      const forged = await get(`${cookie.split('=')[0]}=${'A'.repeat(40)}`)
      if (forged.status !== 401) problems.push(`GET /me with a forged cookie: ${forged.status} (expected 401)`)
    }
  }
  if (problems.length > 0) throw new Error(`${config.id} misbehaves: ${problems.join('; ')}`)
}
