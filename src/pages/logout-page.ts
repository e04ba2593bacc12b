import { escapeHtml, renderPage } from './html.js'

/** GET /logout: a page with a sign-out button; the GET itself changes nothing. */
export function logoutPage (logoutUrl: string, signedInAs: string | null, homeUrl: string): string {
  if (signedInAs === null) {
    return renderPage('Signed out', `<h1>You are signed out</h1>
<p>There is no active session in this browser.</p>
<a class="button" href="${escapeHtml(homeUrl)}">Continue</a>`)
  }
  return renderPage('Sign out', `<h1>Sign out</h1>
<p>You are signed in as <strong>${escapeHtml(signedInAs)}</strong>.</p>
<form method="post" action="${escapeHtml(logoutUrl)}">
<button class="button primary" type="submit">Sign out</button>
</form>`)
}
