import { escapeHtml, renderPage, type AppInfo } from './html.js'

/** A way on from an error page. */
export interface PageLink {
  url: string
  text: string
}

/**
 * A short, escaped explanation with ways on (the first is the main one): back to sign in (keeping
 * where the person was going), to grant access, or, for a person still signed in, on or to sign out.
 * `signedInAs` names who is still signed in, if anyone.
 */
export function errorPage (title: string, message: string, code: string, links: readonly PageLink[], app: AppInfo, signedInAs: string | null = null): string {
  const buttons = links.map((link, i) => `<a class="button${i === 0 ? ' primary' : ''}" href="${escapeHtml(link.url)}">${escapeHtml(link.text)}</a>`)
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${signedInAs === null ? '' : `<p>You are still signed in as <strong>${escapeHtml(signedInAs)}</strong>.</p>\n`}${buttons.join('\n')}
<p class="code">Error code: ${escapeHtml(code)}</p>`, app)
}
