import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import t from 'tap'
import { userEnvironment } from './fixtures/user-environment.js'

/** What `npm publish` (or an install from git, through `prepare`) would ship. */
async function packedFiles (): Promise<string[]> {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: process.cwd(), env: userEnvironment() })
  return (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path)
}

t.test('the package ships its license, its build, and the sources its source maps point at', async (t) => {
  const files = await packedFiles()
  for (const file of ['LICENSE', 'README.md', 'docs/api.md', 'docs/options.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/redis/index.js']) t.ok(files.includes(file), file)
  t.match(readFileSync('LICENSE', 'utf8'), /^MIT License/, 'the license the README names')
  const maps = files.filter((file) => file.endsWith('.js.map'))
  t.ok(maps.length > 10, `${maps.length} source maps`)
  const unresolved = maps.flatMap((map) => {
    const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }
    return sources.map((source) => new URL(source, `file:///${map}`).pathname.slice(1)).filter((source) => !files.includes(source))
  })
  t.same(unresolved, [], 'every source a map names is in the package')
  t.notOk(files.some((file) => file.startsWith('test/') || file.startsWith('.build/')), 'no tests')
})

t.test('an install from git builds dist/ itself', async (t) => {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
  t.match(manifest.scripts.prepare, /tsc -p tsconfig\.build\.json/, 'prepare builds the package (npm runs it when installing from git)')
  t.ok(manifest.scripts.build === manifest.scripts.prepare, 'the same build as npm run build')
})
