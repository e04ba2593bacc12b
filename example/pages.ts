import type { GoogleUser, UserSession } from 'fastify-google-oauth'

const escape = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char)

export const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--accent:#1a73e8;--accent-text:#fff}
@media (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1b1f24;--text:#e6e8eb;--muted:#9aa4ae;--border:#343b43;--accent:#8ab4f8;--accent-text:#0b1d33}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:1rem 1.5rem;border-bottom:1px solid var(--border);background:var(--card)}
header a{color:var(--text);font-weight:600;text-decoration:none}
nav{display:flex;gap:1rem;align-items:center}
nav form{margin:0}
main{max-width:40rem;margin:2rem auto;padding:0 1rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:1.5rem}
.profile{display:flex;gap:1.25rem;align-items:center}
.profile img{width:72px;height:72px;border-radius:50%}
h1{font-size:1.5rem;margin:0 0 .5rem}
p,dd{color:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
.button{white-space:nowrap}
@media (max-width:480px){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}header{padding:.75rem 1rem}.profile{flex-direction:column;align-items:flex-start}}
.button{display:inline-block;padding:.5rem 1rem;border-radius:999px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button.secondary{background:transparent;color:var(--accent)}
a:focus-visible,.button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
code,pre{font:14px ui-monospace,monospace}
pre{overflow:auto;padding:1rem;border-radius:8px;background:var(--bg);color:var(--text)}
h2{font-size:1.1rem;margin:1.5rem 0 .25rem}
.devices{list-style:none;margin:1rem 0;padding:0}
.devices li{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 0;border-top:1px solid var(--border)}
.devices strong{display:block}
.devices small{color:var(--muted)}
.devices form{margin:0}
.tag{font-weight:600;color:var(--accent)}
`.trim()

function layout (title: string, user: GoogleUser | null, body: string): string {
  const nav = user === null
    ? '<a class="button" href="/login">Sign in</a>'
    // One click: the button posts the sign-out form (GET /logout stays for links and browsers without forms).
    : `<a href="/profile">${escape(user.name ?? user.email ?? 'Profile')}</a><form method="post" action="/logout"><button class="button secondary" type="submit">Sign out</button></form>`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escape(title)} · fastify-google-oauth example</title>
<style>${STYLE}</style>
</head>
<body>
<header><a href="/">fastify-google-oauth example</a><nav>${nav}</nav></header>
<main>
${body}
</main>
</body>
</html>
`
}

export function homePage (user: GoogleUser | null, provider: string): string {
  const status = user === null
    ? '<p>You are <strong>not signed in</strong>.</p><p><a class="button" href="/login?returnTo=%2Fprofile">Sign in with Google</a></p>'
    : `<p>You are signed in as <strong>${escape(user.email ?? user.id)}</strong>.</p><p><a class="button" href="/profile">Your profile</a> <a class="button secondary" href="/api/me">/api/me (JSON)</a></p>`
  return layout('Home', user, `<section class="card">
<h1>Welcome</h1>
${status}
<p>Signing in uses ${escape(provider)}.</p>
</section>`)
}

export function profilePage (user: GoogleUser, userinfo: Record<string, unknown> | null, calendarConnected: boolean): string {
  const rows: Array<[string, string | null]> = [
    ['Role in this app', user.role ?? null],
    ['Google id', user.id],
    ['Email', user.email],
    ['Email verified', user.emailVerified ? 'yes' : 'no'],
    ['Given name', user.givenName],
    ['Family name', user.familyName],
    ['Locale', user.locale],
    ['Workspace domain', user.hostedDomain]
  ]
  const picture = user.picture === null ? '' : `<img src="${escape(user.picture)}" alt="">`
  return layout('Profile', user, `<section class="card">
<div class="profile">${picture}<div><h1>${escape(user.name ?? 'Your profile')}</h1><p>${escape(user.email ?? '')}</p></div></div>
<dl>
${rows.filter(([, value]) => value !== null).map(([label, value]) => `<dt>${escape(label)}</dt><dd>${escape(value ?? '')}</dd>`).join('\n')}
</dl>
<h2>From Google's userinfo API</h2>
<p>Loaded just now with <code>request.googleAuth</code>, as the signed-in user:</p>
${userinfo === null
    ? '<p>Not available: Google\'s button and One Tap only say who you are (the calendar below asks for access), or the access has expired.</p>'
    : `<pre>${escape(JSON.stringify(userinfo, null, 2))}</pre>`}
<h2>Your devices</h2>
<p>Where you are signed in, and a way to sign out of the others.</p>
<p><a class="button secondary" href="/devices">Your devices</a></p>
<h2>Your calendar</h2>
${calendarConnected
    ? '<p><a class="button secondary" href="/calendar">Your calendars</a></p>'
    : '<p>Not connected. Google asks for read-only access when you open it, not at sign-in.</p><p><a class="button" href="/calendar">Connect your calendar</a></p>'}
</section>`)
}

export function calendarPage (user: GoogleUser, calendars: Array<{ summary?: string, primary?: boolean }>): string {
  return layout('Calendar', user, `<section class="card">
<h1>Your calendars</h1>
<p>Read with <code>request.googleAuth</code> and the read-only calendar scope, granted when you first opened this page.</p>
<ul>
${calendars.map((calendar) => `<li>${escape(calendar.summary ?? '(untitled)')}${calendar.primary === true ? ' (primary)' : ''}</li>`).join('\n')}
</ul>
<p><a href="/profile">Back to your profile</a></p>
</section>`)
}

/** A time as people read it on a list of devices (UTC, to the minute). */
const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`

const METHODS = { redirect: 'with Google', 'one-tap': 'with Google\'s button or One Tap' } as const

/** Every session of the signed-in person, from `app.googleOAuth.sessionsOf(request)`; each other one can be signed out. */
export function devicesPage (user: GoogleUser, sessions: UserSession[]): string {
  const others = sessions.filter((session) => !session.current).length
  const rows = sessions.map((session) => `<li>
<div><strong>${escape(session.device)}</strong>${session.deviceBound ? ` <span class="tag">${session.current ? 'Bound to this device' : 'Device-bound'}</span>` : ''}<small>Signed in ${escape(when(session.startedAt))}${session.method === null ? '' : ` ${METHODS[session.method]}`} · last used ${escape(when(session.lastUsedAt))}</small></div>
${session.current
    ? '<span class="tag">This device</span>'
    : `<form method="post" action="/devices/end"><input type="hidden" name="handle" value="${escape(session.handle)}"><button class="button secondary" type="submit">Sign out</button></form>`}
</li>`)
  return layout('Your devices', user, `<section class="card">
<h1>Your devices</h1>
<p>You are signed in on ${sessions.length === 1 ? 'this device only' : `${sessions.length} devices`}. Signing one out ends its session at once, on every server.</p>
<ul class="devices">
${rows.join('\n')}
</ul>
${others > 0 ? '<form method="post" action="/devices/others"><button class="button" type="submit">Sign out everywhere else</button></form>' : ''}
<p><a href="/profile">Back to your profile</a></p>
</section>`)
}
