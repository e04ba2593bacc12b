import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import t from 'tap'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

t.test('a consumer app type-checks against the built package, and misuse is a type error', async (t) => {
  // consumer.ts imports 'fastify-google-oauth' by name: it resolves to the built dist/ like an installed package.
  // Its @ts-expect-error lines fail the compile if the types ever stop catching those mistakes.
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', 'test/types/tsconfig.json'], { cwd: process.cwd() })
    .then(() => ({ code: 0, output: '' }), (error: { code: number, stdout: string }) => ({ code: error.code, output: error.stdout }))
  t.equal(result.output, '', 'no type errors')
  t.equal(result.code, 0)
})
