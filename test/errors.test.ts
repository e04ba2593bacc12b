import { readFileSync } from 'node:fs'
import t from 'tap'
import { errors } from '../src/index.js'

const readme = readFileSync('README.md', 'utf8')
const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Testing with the fake Google'))
/** Errors that stop the app from starting rather than answer a request. */
const STARTUP = ['FST_GOOGLE_OAUTH_INVALID_OPTION', 'FST_GOOGLE_OAUTH_ALREADY_REGISTERED', 'FST_GOOGLE_OAUTH_FOREIGN_GUARD']

t.test('every error code is documented in the README\'s errors table, with its status', async (t) => {
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
