import type { FastifyInstance, FastifyRequest } from 'fastify'
import { send } from '../http-client.js'

/** Path of the setup-only sign-in route (the benchmark never loads it). */
export const SETUP_LOGIN = '/__bench/login'

/** Registers POST /__bench/login, which signs the caller in with `login(request)`. */
export function setupLogin (app: FastifyInstance, login: (request: FastifyRequest) => void | Promise<void>): void {
  app.post(SETUP_LOGIN, async (request) => {
    await login(request)
    return { signedIn: true }
  })
}

/** Calls the setup route and returns the session cookie it set, as `name=value`. */
export async function setupSignIn (url: string, cookieName: string): Promise<string> {
  const reply = await send(`${url}${SETUP_LOGIN}`, { method: 'POST' })
  if (reply.status !== 200) throw new Error(`setup login answered ${reply.status}: ${reply.body.slice(0, 200)}`)
  const setCookie = ([] as string[]).concat(reply.headers['set-cookie'] ?? [])
  const pair = setCookie.map((header) => header.split(';')[0]!).find((p) => p.startsWith(`${cookieName}=`))
  if (pair === undefined) throw new Error(`setup login set no ${cookieName} cookie (got ${setCookie.join(' | ')})`)
  return pair
}
