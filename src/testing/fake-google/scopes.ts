const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email'
const USERINFO_PROFILE = 'https://www.googleapis.com/auth/userinfo.profile'

/** What a consent granted, as Google understands the requested scopes. */
export interface GrantedScopes {
  openid: boolean
  /** `email` or its URL form: the email claims. */
  email: boolean
  /** `profile` or its URL form: the name, picture and locale claims. */
  profile: boolean
  /** Any other scope, granted as asked. */
  others: string[]
}

/** Parses a space-separated `scope` parameter. */
export function grantScopes (scope: string): GrantedScopes {
  const granted: GrantedScopes = { openid: false, email: false, profile: false, others: [] }
  for (const s of scope.split(' ').filter(Boolean)) {
    if (s === 'openid') granted.openid = true
    else if (s === 'email' || s === USERINFO_EMAIL) granted.email = true
    else if (s === 'profile' || s === USERINFO_PROFILE) granted.profile = true
    else if (!granted.others.includes(s)) granted.others.push(s)
  }
  return granted
}

/**
 * The `scope` of the redirect back to the app, short aliases first then URLs, as Google writes it:
 * `email profile openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile`.
 */
export function redirectScope (g: GrantedScopes): string {
  return [
    g.email && 'email',
    g.profile && 'profile',
    g.openid && 'openid',
    g.email && USERINFO_EMAIL,
    g.profile && USERINFO_PROFILE,
    ...g.others
  ].filter(Boolean).join(' ')
}

/** The `scope` of a token response: URL forms only, e.g. `openid https://…/userinfo.email https://…/userinfo.profile`. */
export function tokenScope (g: GrantedScopes): string {
  return [g.openid && 'openid', g.email && USERINFO_EMAIL, g.profile && USERINFO_PROFILE, ...g.others]
    .filter(Boolean).join(' ')
}

/** Nothing granted. */
export const NO_SCOPES: Readonly<GrantedScopes> = Object.freeze({ openid: false, email: false, profile: false, others: [] })

/** What either grants. */
export function unionScopes (a: GrantedScopes, b: GrantedScopes): GrantedScopes {
  return {
    openid: a.openid || b.openid,
    email: a.email || b.email,
    profile: a.profile || b.profile,
    others: [...a.others, ...b.others.filter((s) => !a.others.includes(s))]
  }
}

/** What `a` grants and `b` does not. */
export function withoutScopes (a: GrantedScopes, b: GrantedScopes): GrantedScopes {
  return {
    openid: a.openid && !b.openid,
    email: a.email && !b.email,
    profile: a.profile && !b.profile,
    others: a.others.filter((s) => !b.others.includes(s))
  }
}

/** What both grant, in the order of `a`. */
export function sharedScopes (a: GrantedScopes, b: GrantedScopes): GrantedScopes {
  return {
    openid: a.openid && b.openid,
    email: a.email && b.email,
    profile: a.profile && b.profile,
    others: a.others.filter((s) => b.others.includes(s))
  }
}

/** Whether it grants anything. */
export function anyScope (g: GrantedScopes): boolean {
  return g.openid || g.email || g.profile || g.others.length > 0
}

/** Each scope once, by the name the consent screen describes it by: `openid`, `email`, `profile`, then the others as asked. */
export function scopeNames (g: GrantedScopes): string[] {
  return [...(g.openid ? ['openid'] : []), ...(g.email ? ['email'] : []), ...(g.profile ? ['profile'] : []), ...g.others]
}

const API = 'https://www.googleapis.com/auth/'

/** What Google's consent screen says for common scopes. */
const DESCRIPTIONS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: "See your personal info, including any personal info you've made publicly available",
  [`${API}calendar`]: 'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
  [`${API}calendar.readonly`]: 'See and download any calendar you can access using your Google Calendar',
  [`${API}calendar.events`]: 'View and edit events on all your calendars',
  [`${API}calendar.events.readonly`]: 'View events on all your calendars',
  [`${API}drive`]: 'See, edit, create, and delete all of your Google Drive files',
  [`${API}drive.readonly`]: 'See and download all your Google Drive files',
  [`${API}drive.file`]: 'See, edit, create, and delete only the specific Google Drive files you use with this app',
  [`${API}gmail.readonly`]: 'View your email messages and settings',
  [`${API}gmail.send`]: 'Send email on your behalf',
  [`${API}contacts.readonly`]: 'See and download your contacts',
  [`${API}youtube.readonly`]: 'View your YouTube account'
}

/** The consent screen's words for a scope, or undefined for a scope it shows as its URL. */
export function describeScope (scope: string): string | undefined {
  return DESCRIPTIONS[scope]
}

/** Whether the grant holds one of these scopes beyond sign-in's (`openid`, `email` and `profile` are never matched). */
export function grantsAnyOf (g: GrantedScopes, scopes: readonly string[]): boolean {
  return scopes.some((s) => g.others.includes(s))
}

/** Checks the argument of {@link FakeGoogle.declineScopes}: the scopes to leave out, or null. */
export function declinedScopes (scopes: readonly string[] | null): GrantedScopes | null {
  if (scopes === null) return null
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !/^\S+$/.test(s))) {
    throw new TypeError(`declineScopes: pass an array of scopes such as ['https://www.googleapis.com/auth/calendar.readonly'], or null; got ${JSON.stringify(scopes)}`)
  }
  if (scopes.includes('openid')) throw new TypeError('declineScopes: openid cannot be declined (signing in grants it)')
  return grantScopes(scopes.join(' '))
}
