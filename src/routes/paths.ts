/** The plugin's own route paths, relative to its prefix. */
export const ROUTES = {
  login: '/login',
  start: '/oauth2/google',
  callback: '/oauth2/google/callback',
  logout: '/logout'
} as const
