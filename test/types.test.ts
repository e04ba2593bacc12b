import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { userEnvironment } from './fixtures/user-environment.js'

/**
 * The package's types as a user meets them: test/types/consumer.ts and every TypeScript block of
 * the README and of the pages of docs/, compiled against the built package. The project is written under .build/types,
 * inside the package, so `fastify-google-oauth` resolves through package.json's exports to dist/
 * as an installed package does. consumer.ts's @ts-expect-error lines fail the compile if the types
 * ever stop catching those mistakes.
 *
 * One compile per TypeScript version, each with the settings the other lacks: the pinned 5.9 (the
 * one `npm run typecheck` runs, strict, over the sources) with exactOptionalPropertyTypes, and
 * the one a user installs today (7.x) with plain strict, the setting most apps have.
 */
const require = createRequire(import.meta.url)
const PROJECT = '.build/types'
// TypeScript 7 (installed as `typescript7`) is a native compiler: it runs without Node.
const COMPILERS = [
  { name: 'TypeScript 5.9, strict + exactOptionalPropertyTypes', tsc: [process.execPath, require.resolve('typescript/bin/tsc')], exactOptionalPropertyTypes: true },
  { name: 'TypeScript 7, strict', tsc: [join(dirname(require.resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`)), 'lib', 'tsc')], exactOptionalPropertyTypes: false }
]

async function typecheck ([command, ...args]: string[], project: string): Promise<{ code: number, output: string }> {
  return promisify(execFile)(command!, [...args, '-p', project], { env: userEnvironment() })
    .then(() => ({ code: 0, output: '' }), (error: { code: number, stdout: string, stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }))
}

/** The TypeScript blocks of a page (indented ones too, as in a list), without their indentation. */
function tsBlocks (page: string): string[] {
  return [...readFileSync(page, 'utf8').matchAll(/^( *)```ts\n([\s\S]*?)^ *```$/gm)]
    .map(([, indent, block]) => block!.replace(new RegExp(`^${indent}`, 'gm'), ''))
}

t.test('the TypeScript blocks of the README and of docs/, and a consumer app, type-check against the built package', async (t) => {
  const readme = tsBlocks('README.md')
  t.ok(readme.some((block) => block.includes('app.register(googleOAuth')), 'found the README\'s usage example')
  t.ok(readme.some((block) => block.includes('signInAs')), 'found the README\'s testing example')
  const pages = readdirSync('docs').filter((file) => file.endsWith('.md')).sort().map((file) => join('docs', file))
  const sources = [{ page: 'README.md', name: 'readme', blocks: readme }, ...pages.map((page) => ({ page, name: `docs-${basename(page, '.md')}`, blocks: tsBlocks(page) }))]
  t.ok(sources.filter(({ blocks }) => blocks.length > 0).length > 5, 'found blocks in the pages of docs/')

  rmSync(PROJECT, { recursive: true, force: true })
  mkdirSync(PROJECT, { recursive: true })
  // Each block is a module of its own, named after its page: readme-2.ts, docs-sign-in-1.ts, …
  // (fragments get `app`, `options` and `handler` from readme-context.d.ts).
  const files = sources.flatMap(({ page, name, blocks }) => blocks.map((block, index) => {
    writeFileSync(`${PROJECT}/${name}-${index + 1}.ts`, `// Made by test/types.test.ts from ${page}\n${block}\nexport {}\n`)
    return `${name}-${index + 1}.ts`
  }))
  const results = await Promise.all(COMPILERS.map(({ tsc, exactOptionalPropertyTypes }, index) => {
    const project = `${PROJECT}/tsconfig.${index}.json`
    writeFileSync(project, JSON.stringify({
      extends: '../../test/types/tsconfig.json',
      compilerOptions: { exactOptionalPropertyTypes },
      files: ['../../test/types/consumer.ts', '../../test/types/readme-context.d.ts', ...files]
    }))
    return typecheck(tsc, project)
  }))
  COMPILERS.forEach(({ name }, index) => {
    t.equal(results[index]!.output, '', `${name}: no type errors`)
    t.equal(results[index]!.code, 0, `${name}: compiles`)
  })
})
