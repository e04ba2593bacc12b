import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { codeBlocks, documentationPages, engineWarnings, installedCopies, installedVersion, npmInstall, run, workspace, type Workspace } from '../fixtures/install.js'

/**
 * `request.googleAuth` handed to an @googleapis client, in apps installed from the registry as users
 * install them. The documentation's snippet type-checks only when the plugin and the client share one copy
 * of google-auth-library: two copies' `OAuth2Client` types differ in their private fields (TS2769).
 *
 * - "default" is `npm install fastify`, then `npm install fastify-google-oauth @googleapis/calendar`:
 *   what npm picks on the Node.js running the test. On Node 20 that is @googleapis/calendar 16, whose
 *   googleapis-common pins google-auth-library 10.5.0 (the later majors declare Node >= 22); on
 *   Node 22 and later, the current major, on google-auth-library 11.
 * - "latest" is @googleapis/calendar@latest on any Node (it declares Node >= 22: on Node 20, npm
 *   installs it with engine warnings, `--engine-strict=false` in case the user's npm sets it).
 *
 * Both apps are type-checked, not run.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0])
/** The documentation's block that hands `request.googleAuth` to an @googleapis client (the README's, or a page of docs/ it links). */
const USAGE = /calendar\(\{ version: 'v3', auth: request\.googleAuth! \}\)/
const SNIPPETS = documentationPages().flatMap((page) => codeBlocks(page, 'ts').filter((block) => USAGE.test(block)).map((block) => ({ page, block })))

/** What the snippet, a fragment, assumes around it: an app the plugin is registered on. */
const CONTEXT = `import type { FastifyInstance } from 'fastify'
import type { GoogleOAuthOptions } from 'fastify-google-oauth'

declare global {
  const app: FastifyInstance
  const options: GoogleOAuthOptions
}
`
/** A project's settings as `tsc --init` writes them, checking the two files only. */
const TSCONFIG = {
  compilerOptions: { module: 'nodenext', target: 'esnext', types: ['node'], strict: true, skipLibCheck: true, noEmit: true },
  files: ['context.d.ts', 'calendar.ts']
}

interface App {
  name: string
  /** What the user asks npm for after Fastify. */
  calendar: string
  /** The @googleapis/calendar majors the user is meant to get. */
  expectedMajor: (major: number) => boolean
  expected: string
}

const APPS: App[] = [
  NODE_MAJOR === 20
    ? { name: 'default', calendar: '@googleapis/calendar', expectedMajor: (major) => major === 16, expected: '16 on Node 20' }
    : { name: 'default', calendar: '@googleapis/calendar', expectedMajor: (major) => major >= 20, expected: '20 or later on Node 22+' },
  { name: 'latest', calendar: '@googleapis/calendar@latest', expectedMajor: (major) => major >= 20, expected: '20 or later' }
]

interface Installed {
  dir: string
  /** EBADENGINE warnings of `npm install fastify` alone, and of the install that added the plugin and the client. */
  fastifyWarnings: string[]
  warnings: string[]
}

async function install (space: Workspace, app: App): Promise<Installed> {
  const dir = await space.project(app.name)
  const fastifyWarnings = engineWarnings(await npmInstall(dir, ['fastify']))
  const flags = app.name === 'latest' ? ['--engine-strict=false'] : []
  const warnings = engineWarnings(await npmInstall(dir, [space.tarball, app.calendar, 'typescript', '@types/node'], flags))
  await writeFile(join(dir, 'context.d.ts'), CONTEXT)
  await writeFile(join(dir, 'calendar.ts'), SNIPPETS[0]?.block ?? '')
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2))
  return { dir, fastifyWarnings, warnings }
}

t.test('request.googleAuth goes to the @googleapis client users install, with one google-auth-library', async (t) => {
  t.equal(SNIPPETS.length, 1, `the documentation shows the @googleapis/calendar snippet once (${SNIPPETS.map(({ page }) => page).join(', ')})`)
  const space = await workspace(t)
  const installed = await Promise.all(APPS.map((app) => install(space, app)))

  for (const [index, app] of APPS.entries()) {
    const { dir, fastifyWarnings, warnings } = installed[index]!
    await t.test(`${app.name}: ${app.calendar} on Node ${NODE_MAJOR}`, async (t) => {
      const calendar = installedVersion(dir, '@googleapis/calendar')
      t.ok(app.expectedMajor(Number(calendar.split('.')[0])), `npm installed @googleapis/calendar ${calendar} (the documentation says ${app.expected})`)
      const copies = await installedCopies(dir, 'google-auth-library')
      t.equal(copies.length, 1, `one google-auth-library (${installedVersion(dir, 'google-auth-library')}); npm ls found: ${copies.join(', ')}`)
      // lib/tsc.js rather than the extensionless bin/tsc, which Node loads through tap's coverage hooks as CommonJS.
      const tsc = await run(process.execPath, [join(dir, 'node_modules/typescript/lib/tsc.js'), '-p', 'tsconfig.json'], dir)
      t.equal(tsc.output, '', `${SNIPPETS[0]?.page}'s snippet type-checks with TypeScript ${installedVersion(dir, 'typescript')}`)
      t.equal(tsc.code, 0, 'tsc succeeds')
      if (app.name === 'default') {
        t.same(warnings.filter((warning) => !fastifyWarnings.includes(warning)), [], 'the plugin and the client add no engine warning to those of Fastify itself')
      }
    })
  }
})
