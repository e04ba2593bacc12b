import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { pluginError, type ErrorName } from '../src/errors.js'
import { errorBody } from '../src/http/error-reply.js'
import { errors, refuseSignIn } from '../src/index.js'

// The errors table lives in docs/api.md, in its `## Errors` section.
const page = readFileSync('docs/api.md', 'utf8')
const tableEnd = page.indexOf('\n## ', page.indexOf('\n## Errors\n') + 1)
const table = page.slice(page.indexOf('\n## Errors\n'), tableEnd === -1 ? undefined : tableEnd)
/** Errors that stop the app from starting rather than answer a request. */
const STARTUP = ['FST_GOOGLE_OAUTH_INVALID_OPTION', 'FST_GOOGLE_OAUTH_ALREADY_REGISTERED', 'FST_GOOGLE_OAUTH_FOREIGN_GUARD']

t.test('every error code is documented in the errors table (docs/api.md), with its status', async (t) => {
  for (const Constructor of Object.values(errors)) {
    const error = new Constructor()
    const row = table.split('\n').find((line) => line.startsWith(`| \`${error.code}\` |`))
    t.ok(row, `${error.code} is in the table`)
    if (STARTUP.includes(error.code)) t.match(row, /\| — \(thrown at (registration|startup)\) \|/, `${error.code} is said to stop the app at startup`)
    else if (error.code !== 'FST_GOOGLE_OAUTH_INVALID_REQUEST') t.match(row, new RegExp(`\\| ${error.statusCode} \\|`), `${error.code} has status ${error.statusCode}`)
  }
})

t.test('the table documents no code that does not exist', async (t) => {
  const documented = [...table.matchAll(/^\| `(FST_GOOGLE_OAUTH_\w+)`/gm)].map((match) => match[1])
  const declared = Object.values(errors).map((Constructor) => new Constructor().code)
  t.same(documented.sort(), declared.sort())
})

t.test('codes are stable, prefixed and unique', async (t) => {
  const codes = Object.entries(errors).map(([name, Constructor]) => [name, new Constructor().code] as const)
  for (const [name, code] of codes) t.equal(code, `FST_GOOGLE_OAUTH_${name}`)
  t.equal(new Set(codes.map(([, code]) => code)).size, codes.length)
})

t.test('one code, one status: nothing changes the status of an error after pluginError(...)', async (t) => {
  const files = (readdirSync('src', { recursive: true }) as string[]).filter((file) => file.endsWith('.ts')).map((file) => join('src', file))
  const assignments = files.flatMap((file) => readFileSync(file, 'utf8').split('\n')
    .filter((line) => /\.statusCode\s*=(?!=)/.test(line))
    .map((line) => `${file}: ${line.trim()}`))
  t.same(assignments, [`${join('src', 'http', 'error-reply.ts')}: failure.statusCode = status`], 'one assignment in all of src/')
  t.match(readFileSync(join('src', 'http', 'error-reply.ts'), 'utf8'), /pluginError\('INVALID_REQUEST'[^\n]*\n\s*failure\.statusCode = status\n/,
    'and it is INVALID_REQUEST\'s, whose status is Fastify\'s (4xx in the errors table)')
})

t.test('what an error answer carries is the status the registry declares, for every code', async (t) => {
  for (const [name, Constructor] of Object.entries(errors)) {
    t.equal(errorBody(pluginError(name as ErrorName), '/login').statusCode, new Constructor().statusCode, name)
  }
})

t.test('a function of the plugin called wrongly by the app\'s code throws INVALID_ARGUMENT, saying what to pass', async (t) => {
  for (const message of ['', '   ', undefined, 42]) {
    t.throws(() => refuseSignIn(message as never), {
      code: 'FST_GOOGLE_OAUTH_INVALID_ARGUMENT',
      statusCode: 500,
      message: /^fastify-google-oauth: refuseSignIn\(message\) needs the message the person sees, a non-empty string, e\.g\. refuseSignIn\('Ask an admin for access'\)$/
    }, `refuseSignIn(${JSON.stringify(message)})`)
  }
  t.match(refuseSignIn('Ask an admin'), { code: 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED', statusCode: 403, message: 'Ask an admin' }, 'a message refuses the sign-in')
})
