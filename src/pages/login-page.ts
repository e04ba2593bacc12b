import { escapeHtml, GOOGLE_LOGO, renderPage, type AppInfo } from './html.js'

/** The built-in sign-in page: one button that starts the Google sign-in. */
export function loginPage (startUrl: string, app: AppInfo): string {
  const title = app.name === null ? 'Sign in' : `Sign in to ${app.name}`
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>Use your Google account to continue.</p>
<a class="button" href="${escapeHtml(startUrl)}">${GOOGLE_LOGO}<span>Sign in with Google</span></a>`, app)
}
