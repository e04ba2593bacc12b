import { escapeHtml } from '../../pages/html.js'
import type { Account } from './options.js'

/** Content-Security-Policy of every page: inline styles, `data:` and same-origin images, no script, no framing. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; base-uri 'none'; frame-ancestors 'none'"

const STYLE = `
:root{color-scheme:light dark;--bg:#f0f4f9;--card:#fff;--text:#1f1f1f;--muted:#444746;--line:#c4c7c5;
--accent:#0b57d0;--hover:#e9eef6;--badge-bg:#fef7e0;--badge-text:#5f4300;--error:#b3261e}
@media (prefers-color-scheme:dark){:root{--bg:#131314;--card:#1e1f20;--text:#e3e3e3;--muted:#c4c7c5;
--line:#444746;--accent:#a8c7fa;--hover:#2d2f31;--badge-bg:#3f3000;--badge-text:#ffdf99;--error:#f2b8b5}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--text);
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{width:min(100% - 2rem,28rem);margin:2rem 0;padding:2.25rem 2rem;background:var(--card);border-radius:28px}
.brand{display:flex;align-items:center;gap:.5rem;font-size:1.1rem;font-weight:500}
.logo{display:inline-grid;place-items:center;width:1.75rem;height:1.75rem;border-radius:50%;color:#fff;font-weight:700;
background:conic-gradient(#ea4335 0 25%,#fbbc05 0 50%,#34a853 0 75%,#4285f4 0)}
.badge{display:inline-block;margin:.75rem 0 0;padding:.25rem .75rem;border-radius:999px;background:var(--badge-bg);
color:var(--badge-text);font-size:.8rem;font-weight:500}
h1{margin:1.25rem 0 .25rem;font-size:1.75rem;font-weight:400}
p{margin:.25rem 0;color:var(--muted)}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
ul{list-style:none;margin:1.5rem 0 0;padding:0;border-top:1px solid var(--line)}
li{border-bottom:1px solid var(--line)}
button{font:inherit;color:inherit;cursor:pointer}
.account{display:flex;align-items:center;gap:.875rem;width:100%;padding:.75rem .5rem;background:none;border:0;
text-align:left;border-radius:8px}
.account:hover{background:var(--hover)}
.account img{width:2rem;height:2rem;border-radius:50%;flex:none}
.account span{display:flex;flex-direction:column;min-width:0}
.account strong{font-weight:500}
.account small{color:var(--muted);font-size:.875rem;overflow-wrap:anywhere}
.hint{margin-left:auto;color:var(--accent);font-size:.8rem;white-space:nowrap}
.actions{display:flex;justify-content:flex-end;margin-top:1.5rem}
.actions{gap:.75rem}
.cancel,.allow{padding:.5rem 1.25rem;border:1px solid var(--line);border-radius:999px;background:none;color:var(--accent);font-weight:500}
.cancel:hover{background:var(--hover)}
.allow{border-color:var(--accent);background:var(--accent);color:var(--card)}
.allow:hover{opacity:.9}
ul.scopes{margin:.75rem 0 0;padding:0 0 0 1.25rem;border:0;list-style:disc}
ul.scopes li{border:0;padding:.25rem 0}
.who{display:flex;align-items:center;gap:.5rem;margin:.75rem 0 0}
.who img{width:1.5rem;height:1.5rem;border-radius:50%}
button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{color:var(--error)}
dl{margin:1rem 0 0;font-size:.875rem}dt{font-weight:500}dd{margin:0 0 .5rem;color:var(--muted)}
footer{margin-top:1.5rem;font-size:.8rem;color:var(--muted)}`

function layout (title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="brand"><span class="logo" aria-hidden="true">G</span><span>Fake Google</span></div>
<p class="badge">Local test provider &middot; not Google</p>
${body}
<footer>This page is served by a fake Google sign-in running on this computer for testing.
No real Google account is used and nothing leaves this machine.</footer>
</main>
</body>
</html>
`
}

/** What the account chooser shows. */
export interface ChooserView {
  /** Opaque ID of the pending authorization request, posted back with the choice. */
  requestId: string
  /** Where the form posts. */
  action: string
  accounts: readonly Account[]
  /** Sub of the account named by `login_hint`, listed first. */
  hinted?: string
  /** The host the user continues to, from the redirect URI. */
  appHost: string
  clientId: string
  /** What consenting shares, e.g. `['name and profile picture', 'email address']`. */
  shares: string[]
  /** What else consenting allows: the scopes beyond sign-in's. */
  allows: readonly ScopeLine[]
}

/** A scope as the consent screen lists it: Google's words for it, or its URL. */
export interface ScopeLine {
  scope: string
  description: string | undefined
}

function scopeList (scopes: readonly ScopeLine[]): string {
  return `<ul class="scopes">
${scopes.map((s) => `<li>${s.description === undefined ? `<code>${escapeHtml(s.scope)}</code>` : escapeHtml(s.description)}</li>`).join('\n')}
</ul>`
}

function accountButton (account: Account, hinted: boolean): string {
  return `<li><button class="account" type="submit" name="account" value="${escapeHtml(account.sub)}"${hinted ? ' autofocus' : ''}>
<img src="${escapeHtml(account.picture)}" alt="">
<span><strong>${escapeHtml(account.name)}</strong><small>${escapeHtml(account.email)}</small></span>
${hinted ? '<span class="hint">Suggested</span>' : ''}</button></li>`
}

/** The account chooser: one submit button per account, and Cancel (which denies). */
export function chooserPage (view: ChooserView): string {
  const ordered = [...view.accounts].sort((a, b) => Number(b.sub === view.hinted) - Number(a.sub === view.hinted))
  return layout('Sign in – Fake Google', `<h1 id="title">Choose an account</h1>
<p id="continue">to continue to <strong>${escapeHtml(view.appHost)}</strong></p>
<form method="post" action="${escapeHtml(view.action)}" aria-labelledby="title" aria-describedby="continue">
<input type="hidden" name="request" value="${escapeHtml(view.requestId)}">
<ul>
${ordered.map((a) => accountButton(a, a.sub === view.hinted)).join('\n')}
</ul>
<p>Choosing an account shares its ${escapeHtml(view.shares.join(' and '))} with
<code>${escapeHtml(view.clientId)}</code>${view.allows.length > 0 ? ', and allows it to:' : '.'}</p>
${view.allows.length > 0 ? scopeList(view.allows) : ''}
<div class="actions"><button class="cancel" type="submit" name="action" value="deny">Cancel</button></div>
</form>`)
}

/** What the consent screen for more scopes shows. */
export interface ConsentView {
  /** Opaque ID of the pending authorization request, posted back with the answer. */
  requestId: string
  /** Where the form posts. */
  action: string
  account: Account
  /** The host the user continues to, from the redirect URI. */
  appHost: string
  clientId: string
  /** The scopes asked for that the account has not granted yet. */
  scopes: readonly ScopeLine[]
}

/**
 * The consent screen shown to an account that consented before when more scopes are asked for:
 * the new scopes, Allow and Cancel (which denies).
 */
export function consentPage (view: ConsentView): string {
  return layout('Consent – Fake Google', `<h1 id="title">${escapeHtml(view.appHost)} wants additional access to your Google Account</h1>
<p class="who"><img src="${escapeHtml(view.account.picture)}" alt=""><span>${escapeHtml(view.account.email)}</span></p>
<form method="post" action="${escapeHtml(view.action)}" aria-labelledby="title">
<input type="hidden" name="request" value="${escapeHtml(view.requestId)}">
<p>This will allow <code>${escapeHtml(view.clientId)}</code> to:</p>
${scopeList(view.scopes)}
<div class="actions"><button class="cancel" type="submit" name="action" value="deny">Cancel</button>
<button class="allow" type="submit" name="action" value="allow" autofocus>Allow</button></div>
</form>`)
}

/** What an authorization error page shows; Google shows such a page instead of redirecting. */
export interface ErrorView {
  status: number
  /** Heading. Default: "Access blocked: this app's request is invalid". */
  title?: string
  /** OAuth error code, e.g. `redirect_uri_mismatch`. */
  error: string
  /** What went wrong, in a sentence. */
  description: string
  /** Request details listed under the error. */
  details?: ReadonlyArray<[string, string]>
}

/** An "Access blocked" page with `Error <status>: <error>`, like Google's. */
export function errorPage (view: ErrorView): string {
  const details = view.details?.length
    ? `<dl>${view.details.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd><code>${escapeHtml(v)}</code></dd>`).join('')}</dl>`
    : ''
  return layout(`Error ${view.status}: ${view.error}`, `<h1>${escapeHtml(view.title ?? "Access blocked: this app's request is invalid")}</h1>
<p>${escapeHtml(view.description)}</p>
<p class="error" role="alert"><strong>Error ${view.status}: ${escapeHtml(view.error)}</strong></p>
${details}`)
}

/** A 500 page, as Google's front ends answer when something breaks. */
export function serverErrorPage (): string {
  return `<!DOCTYPE html>
<html lang=en><meta charset=utf-8><title>Error 500 (Server Error)!!1</title>
<p><b>500.</b> <ins>That's an error.</ins>
<p>There was an error. Please try again later. <ins>That's all we know.</ins>
`
}

/** An HTML page answering where JSON was expected, as a captive portal or a misrouted proxy would. */
export function portalPage (): string {
  return layout('Sign in to the network', `<h1>Sign in to the network</h1>
<p>This network requires you to sign in before you can reach the internet.</p>`)
}
