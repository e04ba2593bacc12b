import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import t from 'tap'

/**
 * The README and the pages of docs/ hold together: every relative link and image points at a file
 * that exists and, for a Markdown page, at a heading it has (anchors as GitHub makes them), and
 * the README leads to every page.
 */
const PAGES = ['README.md', ...readdirSync('docs').filter((file) => file.endsWith('.md')).sort().map((file) => join('docs', file))]

/** A page without its fenced blocks (a `# comment` in a shell block is no heading). */
function withoutFences (markdown: string): string {
  return markdown.replace(/^ *```[^\n]*\n[\s\S]*?^ *```$/gm, '')
}

/** The text a reader sees: fenced blocks and inline code hold no links. */
function prose (markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '')
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped (not `-` or `_`), spaces to `-`. */
function slug (heading: string): string {
  const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '')
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
}

/** The anchors of a page, with GitHub's `-1`, `-2` for repeated headings. */
function anchors (file: string): Set<string> {
  const seen = new Map<string, number>()
  const found = new Set<string>()
  for (const [, heading] of withoutFences(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading!)
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    found.add(count === 0 ? base : `${base}-${count}`)
  }
  return found
}

/** Every `[text](target)` and `![alt](target)` of a page that is not an absolute URL. */
function relativeLinks (file: string): string[] {
  return [...prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]*)\)/g)]
    .map((match) => match[1]!)
    .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target))
}

t.test('anchors are GitHub\'s', async (t) => {
  t.equal(slug('`request.googleUser`'), 'requestgoogleuser')
  t.equal(slug('Who may sign in, and as whom'), 'who-may-sign-in-and-as-whom')
  t.equal(slug('Google\'s button and One Tap'), 'googles-button-and-one-tap')
  t.equal(slug('The guard: `fastify.authenticate`'), 'the-guard-fastifyauthenticate')
  t.equal(slug('The 10-line app, explained'), 'the-10-line-app-explained')
})

t.test('every relative link of the README and of docs/ points at a file and a heading that exist', async (t) => {
  for (const page of PAGES) {
    const links = relativeLinks(page)
    t.ok(page !== 'README.md' || links.length > 20, `${page}: links found`)
    for (const link of links) {
      const [path = '', anchor] = link.split('#') as [string, string | undefined]
      const target = path === '' ? page : normalize(join(dirname(page), decodeURI(path)))
      t.ok(existsSync(target), `${page} → ${link}: ${target} exists`)
      if (anchor !== undefined) {
        t.ok(target.endsWith('.md') && existsSync(target) && anchors(target).has(anchor), `${page} → ${link}: ${target} has the heading #${anchor}`)
      }
    }
  }
})

t.test('the README leads to every page of docs/, and every page leads back to it', async (t) => {
  const linked = new Set(relativeLinks('README.md').map((link) => link.split('#')[0]))
  for (const page of PAGES.slice(1)) {
    t.ok(linked.has(page), `the README links ${page}`)
    const [title, , summary] = readFileSync(page, 'utf8').split('\n')
    t.match(title, /^# \S/, `${page} starts with its title`)
    t.match(summary, /\S.*\]\(\.\.\/README\.md\)$/, `${page} has a one-line summary and a link back to the README`)
  }
})
