import { existsSync, readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'

/** How the example runs, read from the environment. */
export interface ExampleConfig {
  port: number
  host: string
  /** The URL people open, e.g. http://localhost:3000. */
  publicUrl: string
  /** Real Google credentials, or null to use the local fake Google. */
  google: { clientId?: string, clientSecret?: string, clientSecretsFile?: string } | null
  /** Why real or fake Google was chosen. */
  googleReason: string
  sessionSecret: string
  sessionSecretGenerated: boolean
  /** Redis for sessions (REDIS_URL), or null for the in-memory store. */
  redisUrl: string | null
  /** Serve over https with this certificate (TLS_CERT and TLS_KEY, PEM files), or null for plain http. */
  tls: { cert: Buffer, key: Buffer } | null
}

export function readConfig (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ExampleConfig {
  const port = Number(env.PORT ?? 3000)
  const host = env.HOST ?? 'localhost'
  if (Boolean(env.TLS_CERT) !== Boolean(env.TLS_KEY)) throw new Error('Set both TLS_CERT and TLS_KEY (PEM files) to serve https, or neither for plain http.')
  const tls = env.TLS_CERT && env.TLS_KEY ? { cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) } : null
  const publicUrl = (env.PUBLIC_URL ?? `${tls === null ? 'http' : 'https'}://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}`).replace(/\/$/, '')
  const secretsFile = env.GOOGLE_CLIENT_SECRETS ?? `${cwd}/client_secrets.json`

  let google: ExampleConfig['google'] = null
  let googleReason = 'no GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET and no client_secrets.json found'
  if (env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET) {
    google = { clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET }
    googleReason = 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set'
  } else if (existsSync(secretsFile)) {
    readFileSync(secretsFile) // fail early and clearly if unreadable
    google = { clientSecretsFile: secretsFile }
    googleReason = `found ${secretsFile}`
  }

  const sessionSecret = env.SESSION_SECRET ?? randomBytes(32).toString('base64url')
  return {
    port,
    host,
    publicUrl,
    google,
    googleReason,
    sessionSecret,
    sessionSecretGenerated: env.SESSION_SECRET === undefined,
    redisUrl: env.REDIS_URL ?? null,
    tls
  }
}
