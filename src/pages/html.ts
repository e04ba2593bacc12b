import { createHash } from 'node:crypto'
import type { FastifyReply } from 'fastify'

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char)

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--accent:#1a73e8;--accent-text:#fff;--focus:#0b57d0}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1b1f24;--text:#e6e8eb;--muted:#9aa4ae;--border:#343b43;--accent:#8ab4f8;--accent-text:#0b1d33;--focus:#a8c7fa}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:grid;place-items:center;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:1rem}
main{width:100%;max-width:26rem;background:var(--card);border:1px solid var(--border);border-radius:12px;padding:2rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
p{margin:.5rem 0 1.25rem;color:var(--muted)}
.button{display:flex;align-items:center;justify-content:center;gap:.75rem;width:100%;min-height:2.75rem;padding:.6rem 1rem;border:1px solid var(--border);border-radius:999px;background:var(--card);color:var(--text);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button.primary{background:var(--accent);border-color:var(--accent);color:var(--accent-text)}
.button+.button{margin-top:.75rem}
.button:hover{filter:brightness(.97)}
.button:focus-visible,a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
a{color:var(--accent)}
.code{font:12px ui-monospace,monospace;color:var(--muted);margin-top:1.5rem}
.app{display:block;margin:0 0 1rem;font-size:.9rem;text-decoration:none}
.or{text-align:center;margin:.75rem 0}
.g_id_signin{display:flex;justify-content:center;min-height:2.75rem}
svg{flex:none}
`.trim()

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64')

/** A strict policy: no scripts, no external assets, only this page's own stylesheet. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'"
].join('; ')

/**
 * The same policy, opened to Google Identity Services only, as Google documents for its button and
 * One Tap: its client script, and its frames, calls and stylesheet under the script's `/gsi/`.
 */
export function policyWithGoogleButton (gsiClient: string): string {
  const gsi = new URL('./', gsiClient).href
  return [
    "default-src 'none'",
    `script-src ${gsiClient}`,
    `style-src 'sha256-${STYLE_HASH}' ${gsi}style`,
    `frame-src ${gsi}`,
    `connect-src ${gsi}`,
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'"
  ].join('; ')
}

/** How a page is sent: its policy and referrer policy (Google's button needs the page's origin as referrer). */
export interface PageHeaders {
  contentSecurityPolicy: string
  referrerPolicy: 'no-referrer' | 'strict-origin-when-cross-origin'
}

const STRICT: PageHeaders = { contentSecurityPolicy: CONTENT_SECURITY_POLICY, referrerPolicy: 'no-referrer' }

/** The Google "G", inline so pages work offline. */
export const GOOGLE_LOGO = '<svg width="18" height="18" viewBox="0 0 48 48" aria-hidden="true"><path fill="#EA4335" d="M24 9.5c3.5 0 6.6 1.2 9.1 3.6l6.8-6.8C35.8 2.4 30.3 0 24 0 14.6 0 6.6 5.4 2.7 13.3l7.9 6.2C12.5 13.7 17.8 9.5 24 9.5z"/><path fill="#4285F4" d="M46.1 24.5c0-1.6-.1-3.1-.4-4.5H24v9h12.4c-.5 2.9-2.2 5.3-4.6 6.9l7.4 5.8c4.3-4 6.9-9.9 6.9-17.2z"/><path fill="#FBBC05" d="M10.6 28.5c-.5-1.4-.8-2.9-.8-4.5s.3-3.1.8-4.5l-7.9-6.2C1 16.6 0 20.2 0 24s1 7.4 2.7 10.7l7.9-6.2z"/><path fill="#34A853" d="M24 48c6.5 0 11.9-2.1 15.9-5.8l-7.4-5.8c-2.1 1.4-4.8 2.2-8.5 2.2-6.2 0-11.5-4.2-13.4-9.9l-7.9 6.2C6.6 42.6 14.6 48 24 48z"/></svg>'

/** The app the pages belong to: its name (if given) and a link back to it. */
export interface AppInfo {
  name: string | null
  url: string
}

/** A complete page, with a link back to the app; `body` must already be escaped. */
export function renderPage (title: string, body: string, app: AppInfo, referrerPolicy: PageHeaders['referrerPolicy'] = 'no-referrer'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="referrer" content="${referrerPolicy}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<a class="app" href="${escapeHtml(app.url)}">← ${app.name === null ? 'Back to the app' : escapeHtml(app.name)}</a>
${body}
</main>
</body>
</html>
`
}

/** Sends one of the plugin's pages with its security headers. */
export function sendPage (reply: FastifyReply, status: number, html: string, headers: PageHeaders = STRICT): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', headers.contentSecurityPolicy)
    .header('cache-control', 'no-store')
    .header('referrer-policy', headers.referrerPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .send(html)
}
