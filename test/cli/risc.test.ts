import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import type { GoogleOAuthEvent } from '../../src/index.js'
import { runRisc } from '../../src/cli/risc.js'
import { startApp } from '../fixtures/app.js'

/**
 * `npx fastify-google-oauth risc register|status|verify` against the fake Google's RISC API (a real
 * server), with a service account key file on disk and the JWT google-auth-library signs.
 */
async function cli (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const code = await runRisc(argv, { out: (text) => { out += `${text}\n` }, err: (text) => { err += `${text}\n` } })
  return { code, out, err }
}

const keyFile = (content: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'fgo-cli-')), 'key.json')
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

t.test('register, status and verify: the receiver is registered with Google, and Google\'s verification event reaches the app', async (t) => {
  const events: GoogleOAuthEvent[] = []
  const app = await startApp(t, { plugin: { risc: true, onEvent: (event) => { events.push(event) } } })
  const key = app.google.createServiceAccount()
  const account = ['--service-account', keyFile(key), '--api', new URL(app.google.apis.risc).origin]
  const url = `${app.url}/oauth2/google/risc`

  const registered = await cli(['risc', 'register', ...account, '--url', url])
  t.equal(registered.code, 0, registered.err)
  t.match(registered.out, `Registered ${url}`)
  t.match(app.google.riscStream, { url, status: 'enabled' })
  t.equal(app.google.riscStream!.eventsRequested.length, 7, 'every event type the plugin knows')

  const status = await cli(['risc', 'status', ...account])
  t.equal(status.code, 0, status.err)
  t.match(status.out, `Receiver: ${url}`)
  t.match(status.out, /sessions-revoked.*account-disabled/)

  const verified = await cli(['risc', 'verify', ...account, '--state', 'check-42'])
  t.equal(verified.code, 0, verified.err)
  t.match(events.filter((event) => event.type === 'security-event'), [{ eventType: 'verification', state: 'check-42' }], 'the app got it')
  t.notMatch(registered.out + status.out + verified.out, /PRIVATE KEY|eyJ[\w-]*\.eyJ/, 'no key and no JWT printed')
})

t.test('usage errors exit 2 with the usage; the API refusing exits 1 with its message, never a key or a token', async (t) => {
  const app = await startApp(t)
  const key = app.google.createServiceAccount()
  const api = ['--api', new URL(app.google.apis.risc).origin]
  const good = keyFile(key)
  for (const [argv, message] of [
    [['risc', 'register', '--service-account', good, ...api], /--url is required/],
    [['risc', 'status', ...api], /--service-account is required/],
    [['risc', 'rotate', '--service-account', good], /Unknown command: risc rotate/],
    [['risc', 'status', '--service-account', keyFile('{not json'), ...api], /cannot read it as JSON/],
    [['risc', 'status', '--service-account', keyFile({ type: 'authorized_user' }), ...api], /not a service account key/],
    [['risc', 'register', '--service-account', good, '--url', 'http://app.example.com/oauth2/google/risc', ...api], /only to https/],
    [['risc', 'status', '--service-acount', good], /Unknown option/]
  ] as const) {
    const run = await cli([...argv])
    t.equal(run.code, 2, argv.join(' '))
    t.match(run.err, message)
    t.match(run.err, /npx fastify-google-oauth risc register/, 'with the usage')
  }
  const stranger = await cli(['risc', 'status', '--service-account', keyFile({ ...key, private_key_id: 'unknown' }), ...api])
  t.equal(stranger.code, 1)
  t.match(stranger.err, /The RISC API answered 401 UNAUTHENTICATED: Request had invalid authentication credentials/)
  t.notMatch(stranger.err, /PRIVATE KEY|eyJ[\w-]*\.eyJ/)
  const none = await cli(['risc', 'status', '--service-account', good, ...api])
  t.match([none.code, none.err], [1, /404 NOT_FOUND: No stream is configured/], 'before any register')
})

t.test('the package\'s bin runs as `npx fastify-google-oauth`', async (t) => {
  const manifest = JSON.parse(await import('node:fs/promises').then(async (fs) => await fs.readFile('package.json', 'utf8'))) as { bin: Record<string, string> }
  t.equal(manifest.bin['fastify-google-oauth'], './dist/cli/main.js')
  const { stdout } = await promisify(execFile)(process.execPath, ['dist/cli/main.js', '--help'])
  t.match(stdout, /risc register --service-account key\.json --url/)
  const failed = await promisify(execFile)(process.execPath, ['dist/cli/main.js', 'risc']).catch((error: { code: number, stderr: string }) => error)
  t.match(failed, { code: 2, stderr: /Unknown command: risc/ })
})
