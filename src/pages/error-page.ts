import { escapeHtml, renderPage, type AppInfo } from './html.js'

/** A short, escaped explanation with a way on: back to sign in (keeping where the person was going), or to grant access. */
export function errorPage (title: string, message: string, code: string, link: { url: string, text: string }, app: AppInfo): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<a class="button primary" href="${escapeHtml(link.url)}">${escapeHtml(link.text)}</a>
<p class="code">Error code: ${escapeHtml(code)}</p>`, app)
}
