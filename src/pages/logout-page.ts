import { escapeHtml, renderPage, type AppInfo } from './html.js'

/** GET /logout: a page with a sign-out button; the GET itself changes nothing. */
export function logoutPage (logoutUrl: string, signedInAs: string | null, homeUrl: string, app: AppInfo): string {
  if (signedInAs === null) {
    return renderPage('Signed out', `<h1>You are signed out</h1>
<p>There is no active session in this browser${app.name === null ? '' : ` for ${escapeHtml(app.name)}`}.</p>
<a class="button" href="${escapeHtml(homeUrl)}">Continue</a>`, app)
  }
  return renderPage('Sign out', `<h1>Sign out${app.name === null ? '' : ` of ${escapeHtml(app.name)}`}</h1>
<p>You are signed in as <strong>${escapeHtml(signedInAs)}</strong>.</p>
<form method="post" action="${escapeHtml(logoutUrl)}">
<button class="button primary" type="submit">Sign out</button>
</form>`, app)
}
