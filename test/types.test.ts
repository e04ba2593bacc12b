import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

/**
 * The package's types as a user meets them: test/types/consumer.ts and every TypeScript block of
 * the README, compiled against the built package. The project is written under .build/types,
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
  return promisify(execFile)(command!, [...args, '-p', project])
    .then(() => ({ code: 0, output: '' }), (error: { code: number, stdout: string, stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }))
}

t.test('the README\'s TypeScript blocks and a consumer app type-check against the built package', async (t) => {
  const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!)
  t.ok(blocks.some((block) => block.includes('app.register(googleOAuth')), 'found the usage example')
  t.ok(blocks.some((block) => block.includes('signInAs')), 'found the testing example')

  rmSync(PROJECT, { recursive: true, force: true })
  mkdirSync(PROJECT, { recursive: true })
  // Each block is a module of its own (fragments get `app`, `options` and `handler` from readme-context.d.ts).
  const files = blocks.map((block, index) => {
    writeFileSync(`${PROJECT}/readme-${index + 1}.ts`, `// Made by test/types.test.ts from README.md\n${block}\nexport {}\n`)
    return `readme-${index + 1}.ts`
  })
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
