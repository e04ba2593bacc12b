import type { Build, BuiltServer } from './configs.js'

/**
 * A benchmark server process: `main.ts <server> <variant> <redisPrefix> [probe]`. Builds the app, signs in
 * when the configuration needs it, listens on 127.0.0.1, and reports { port, credential } to its
 * parent over IPC; with `probe`, runs the server's probe instead and reports { note }. Stops on
 * SIGTERM, or as soon as the parent goes away.
 */
const [server = '', variant = '', redisPrefix = 'fgo-bench:', mode = 'serve'] = process.argv.slice(2)
const modules: Record<string, () => Promise<{ build: Build }>> = {
  bare: () => import('./bare.js'),
  ours: () => import('./ours.js'),
  'fastify-session': () => import('./fastify-session.js'),
  passport: () => import('./passport.js'),
  'secure-session': () => import('./secure-session.js'),
  'by-hand': () => import('./by-hand.js')
}

let built: BuiltServer | null = null
let stopping: Promise<void> | null = null
/** Closes the app and what it holds (Redis keys included), once. */
function stop (code: number): Promise<void> {
  stopping ??= (async () => {
    setTimeout(() => process.exit(code), 5_000).unref()
    await built?.app.close().catch(() => {})
    await built?.close?.().catch(() => {})
    process.exit(code)
  })()
  return stopping
}
for (const event of ['SIGTERM', 'SIGINT', 'disconnect'] as const) process.on(event, () => { void stop(0) })

try {
  // What users run: the built package, never its TypeScript sources through the loader.
  const resolved = import.meta.resolve('fastify-google-oauth')
  if (!resolved.includes('/dist/')) throw new Error(`fastify-google-oauth resolves to ${resolved}, not the built dist/: run with TSX_TSCONFIG_PATH=bench/tsconfig.json`)
  const load = modules[server]
  if (load === undefined) throw new Error(`unknown server ${server}`)
  built = await (await load()).build(variant, redisPrefix)
  if (mode === 'probe') { // on its own: what a probe leaves in memory must not weigh on a measured server
    process.send?.({ note: await built.probe?.() }, () => { void stop(0) })
  } else {
    const credential = built.signIn === undefined ? null : { [built.header ?? 'cookie']: await built.signIn() }
    await built.app.listen({ host: '127.0.0.1', port: 0 })
    process.send?.({ port: (built.app.server.address() as { port: number }).port, credential })
  }
} catch (error) {
  process.stderr.write(`server ${server}/${variant} failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  await stop(1)
}
