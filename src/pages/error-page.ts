import { escapeHtml, renderPage, type AppInfo } from './html.js'

/** A short, escaped explanation with a way back to sign in (keeping where the person was going). */
export function errorPage (title: string, message: string, code: string, retryUrl: string, app: AppInfo): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<a class="button primary" href="${escapeHtml(retryUrl)}">Back to sign in</a>
<p class="code">Error code: ${escapeHtml(code)}</p>`, app)
}
