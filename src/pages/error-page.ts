import { escapeHtml, renderPage } from './html.js'

/** A short, escaped explanation with a way back to the login page. */
export function errorPage (title: string, message: string, code: string, loginUrl: string): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<a class="button primary" href="${escapeHtml(loginUrl)}">Back to sign in</a>
<p class="code">Error code: ${escapeHtml(code)}</p>`)
}
