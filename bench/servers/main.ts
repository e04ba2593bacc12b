import type { BuildContext, BuiltServer } from './types.js'

/**
 * A benchmark server process: `main.ts <server> <variant> <redisPrefix>`. Builds the app, listens
 * on 127.0.0.1, signs in when the configuration needs it, then reports { port, cookie } to its
 * parent over IPC. Stops on SIGTERM, or as soon as the parent goes away.
 */
const [server = '', variant = '', redisPrefix = 'fgo-bench:'] = process.argv.slice(2)

const modules: Record<string, () => Promise<{ build: (context: BuildContext) => Promise<BuiltServer> }>> = {
  bare: () => import('./bare.js'),
  ours: () => import('./ours.js'),
  'fastify-session': () => import('./fastify-session.js'),
  passport: () => import('./passport.js'),
  'secure-session': () => import('./secure-session.js'),
  'by-hand': () => import('./by-hand.js')
}

let built: BuiltServer | null = null
let stopping: Promise<never> | null = null
/** Closes the app and what it holds (Redis keys included), once, however many signals arrive. */
function stop (code: number): Promise<never> {
  stopping ??= (async () => {
    const timer = setTimeout(() => process.exit(code), 5_000)
    timer.unref()
    try {
      await built?.app.close()
    } catch (error) {
      process.stderr.write(`server ${server}/${variant}: ${String(error)}\n`)
    }
    try {
      await built?.close?.()
    } catch (error) {
      process.stderr.write(`server ${server}/${variant}: ${String(error)}\n`)
    }
    process.exit(code)
  })()
  return stopping
}
process.on('SIGTERM', () => { void stop(0) })
process.on('SIGINT', () => { void stop(0) })
process.on('disconnect', () => { void stop(0) })

try {
  const load = modules[server]
  if (load === undefined) throw new Error(`unknown server ${server}`)
  built = await (await load()).build({ variant, redisPrefix })
  await built.app.listen({ host: '127.0.0.1', port: built.port ?? 0 })
  const address = built.app.server.address()
  if (typeof address !== 'object' || address === null) throw new Error('not listening')
  const url = `http://127.0.0.1:${address.port}`
  const cookie = built.signIn === undefined ? null : await built.signIn(url)
  process.send?.({ port: address.port, cookie })
} catch (error) {
  process.stderr.write(`server ${server}/${variant} failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  await stop(1)
}
