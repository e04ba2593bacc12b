import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { codeBlocks, installedVersion, npm, npmInstall, run, workspace } from '../fixtures/install.js'

/**
 * The README's test, run as the README says in a new app on what `npm install` gives today: the
 * packed package, Fastify, TypeScript (7.x, whose compiler tap's own TypeScript loader cannot load)
 * and tap, with the runner setup the README shows in package.json: `.ts` test files through tsx
 * instead of tap's TypeScript plugin, and `tap build` before each run (tap builds its runner for the
 * plugins it is configured with, and a run that finds them changed rebuilds it too late for itself:
 * the first run after an install would still load the TypeScript plugin).
 *
 * The packages whose current release is the point (TypeScript, tap, tsx, Fastify) are looked up
 * fresh in the registry and installed at those versions; the rest of the tree may come from npm's
 * cache, which keeps the install within seconds.
 */
const TEST_FILE = 'test/profile.test.ts'
/** The README's runner setup: what it adds to the app's package.json. */
const SETUP = {
  scripts: { pretest: 'tap build', test: 'tap' },
  tap: { plugin: ['!@tapjs/typescript'], 'node-arg': ['--import=tsx'], include: ['test/**/*.test.ts'], 'allow-empty-coverage': true }
}
const TODAYS = ['typescript', 'tap', 'tsx', 'fastify', '@types/node']
const TESTS = codeBlocks('README.md', 'ts').filter((block) => block.includes('from \'tap\''))

t.test('the README\'s test passes in a new app on today\'s TypeScript and tap', async (t) => {
  t.equal(TESTS.length, 1, 'the README shows one test written with tap')
  const space = await workspace(t)
  const dir = await space.project('app')
  const manifest = join(dir, 'package.json')
  await writeFile(manifest, JSON.stringify({ ...JSON.parse(await readFile(manifest, 'utf8')) as object, ...SETUP }, null, 2))
  const versions = await Promise.all(TODAYS.map(async (name) => `${name}@${(await npm(['view', `${name}@latest`, 'version'], dir)).trim()}`))
  await npmInstall(dir, [space.tarball, ...versions], ['--prefer-offline'])
  t.ok(Number(installedVersion(dir, 'typescript').split('.')[0]) >= 7, `TypeScript ${installedVersion(dir, 'typescript')}, tap ${installedVersion(dir, 'tap')}`)

  await mkdir(join(dir, 'test'))
  await writeFile(join(dir, TEST_FILE), TESTS[0] ?? '')
  const tap = await run('npm', ['test'], dir)
  const summary = /^# \{ total: (\d+), pass: (\d+)(?:, fail: (\d+))?/m.exec(tap.output)
  t.ok(summary, `tap reported a summary:\n${tap.output}`)
  t.ok(Number(summary?.[1]) > 0 && summary?.[1] === summary?.[2], `every assertion passed (${summary?.[0]})`)
  t.equal(tap.code, 0, '`npm test` succeeds')
})
