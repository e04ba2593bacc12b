import { buildExample } from './app.js'
import { readConfig } from './config.js'
import { isLoopbackHost } from './loopback.js'

const config = readConfig()
const { app, fakeGoogle, callbackUrl } = await buildExample(config, { logger: process.env.LOG_LEVEL !== 'silent' })

try {
  await app.listen({ port: config.port, host: config.host })
} catch (error) {
  await app.close()
  const code = (error as { code?: string }).code
  process.stderr.write(code === 'EADDRINUSE'
    ? `Port ${config.port} is already in use on ${config.host}: stop what uses it, or start the example on another port, e.g. PORT=${config.port + 1} npm start\n`
    : `The example could not listen on ${config.host}:${config.port}: ${(error as Error).message}\n`)
  process.exit(1)
}

const lines = [
  '',
  `  fastify-google-oauth example: open ${config.publicUrl}`,
  fakeGoogle === null
    ? `  Google:   real Google (${config.googleReason})`
    : `  Google:   local fake Google at ${fakeGoogle.url} (${config.googleReason})`,
  fakeGoogle === null ? `  Register this redirect URI in Google Cloud console: ${callbackUrl}` : '',
  config.redisUrl === null
    ? '  Sessions: in memory (bounded; restarting signs everyone out). Set REDIS_URL to share them.'
    : `  Sessions: Redis at ${new URL(config.redisUrl).host}`,
  new URL(config.publicUrl).protocol === 'https:'
    ? '  Device-bound sessions: on (a browser that supports them binds its session to its device)'
    : '',
  config.sessionSecretGenerated ? '  Warning:  SESSION_SECRET not set: a random one is used, so sessions end on restart' : '',
  new URL(config.publicUrl).protocol === 'http:' && !isLoopbackHost(new URL(config.publicUrl).hostname)
    ? '  Warning:  plain http on a non-loopback host: use https in production'
    : '',
  ''
]
process.stdout.write(lines.filter((line, index) => line !== '' || index === 0 || index === lines.length - 1).join('\n') + '\n')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => { void app.close().then(() => process.exit(0)) })
}
