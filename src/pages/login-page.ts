import { escapeHtml, GOOGLE_LOGO, renderPage } from './html.js'

/** The built-in sign-in page: one button that starts the Google sign-in. */
export function loginPage (startUrl: string): string {
  return renderPage('Sign in', `<h1>Sign in</h1>
<p>Use your Google account to continue.</p>
<a class="button" href="${escapeHtml(startUrl)}">${GOOGLE_LOGO}<span>Sign in with Google</span></a>`)
}
