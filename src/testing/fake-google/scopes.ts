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
