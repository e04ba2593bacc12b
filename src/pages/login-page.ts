import { oneTapMarkup, type OneTapPage } from '../sign-in/one-tap.js'
import { escapeHtml, GOOGLE_LOGO, renderPage, type AppInfo } from './html.js'

/** The built-in sign-in page: one button that starts the Google sign-in, and Google's own button and One Tap with `oneTap`. */
export function loginPage (startUrl: string, app: AppInfo, oneTap: OneTapPage | null = null): string {
  const title = app.name === null ? 'Sign in' : `Sign in to ${app.name}`
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>Use your Google account to continue.</p>
${oneTap === null ? '' : `${oneTapMarkup(oneTap)}\n<p class="or">or</p>\n`}<a class="button" href="${escapeHtml(startUrl)}">${GOOGLE_LOGO}<span>Sign in with Google</span></a>`, app, oneTap === null ? 'no-referrer' : 'strict-origin-when-cross-origin')
}
