import type { FakeGoogleAccount, FakeGoogleClient } from './types.js'

/** The issuer Google puts in ID tokens, and the fake too. */
export { GOOGLE_ISSUER } from '../../google/endpoints.js'

/**
 * The client registered when `options.clients` is not given. Its secret is an obvious placeholder.
 */
export const DEFAULT_CLIENT: FakeGoogleClient = Object.freeze({
  clientId: 'fake-client-id.apps.googleusercontent.com',
  clientSecret: 'fake-client-secret',
  redirectUris: Object.freeze([
    'http://localhost:3000/oauth2/google/callback',
    'http://127.0.0.1:3000/oauth2/google/callback'
  ]) as string[]
})

/** Avatar background colours; an account's is picked by {@link avatarColour}. */
export const PALETTE: readonly string[] = ['#1a73e8', '#188038', '#a142f4', '#e37400', '#d93025', '#007b83']

/** Up to two initials of a name, letters and digits only, e.g. `'AL'` for Ada Lovelace. */
export function initialsOf (name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]!.toUpperCase())
    .join('')
    .replace(/[^\p{L}\p{N}]/gu, '')
}

/** The index in {@link PALETTE} of the avatar colour derived from `seed` (e.g. the account's sub). */
export function avatarColour (seed: string): number {
  let hash = 0
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return hash % PALETTE.length
}

/**
 * An avatar as an inline `data:` SVG showing the initials of `name`, so pages need no network.
 * The colour is derived from `seed` (e.g. the account's sub).
 */
export function initialsAvatar (name: string, seed: string): string {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">' +
    `<circle cx="48" cy="48" r="48" fill="${PALETTE[avatarColour(seed)]!}"/>` +
    '<text x="48" y="48" dy=".35em" text-anchor="middle" font-family="Arial,sans-serif" ' +
    `font-size="40" fill="#fff">${initialsOf(name)}</text></svg>`
  return `data:image/svg+xml,${encodeURIComponent(svg)}`
}

function account (a: Omit<FakeGoogleAccount, 'picture'>): FakeGoogleAccount {
  return Object.freeze({ ...a, picture: initialsAvatar(a.name, a.sub) })
}

/**
 * The accounts offered when `options.accounts` is not given: two consumer accounts and one
 * Google Workspace account (with `hd`).
 */
export const DEFAULT_ACCOUNTS: FakeGoogleAccount[] = Object.freeze([
  account({
    sub: '100000000000000000001',
    email: 'ada@example.com',
    emailVerified: true,
    name: 'Ada Lovelace',
    givenName: 'Ada',
    familyName: 'Lovelace',
    locale: 'en'
  }),
  account({
    sub: '100000000000000000002',
    email: 'grace@example.com',
    emailVerified: true,
    name: 'Grace Hopper',
    givenName: 'Grace',
    familyName: 'Hopper',
    locale: 'en'
  }),
  account({
    sub: '100000000000000000003',
    email: 'charles@analytical.example',
    emailVerified: true,
    name: 'Charles Babbage',
    givenName: 'Charles',
    familyName: 'Babbage',
    locale: 'en-GB',
    hd: 'analytical.example'
  })
]) as FakeGoogleAccount[]
