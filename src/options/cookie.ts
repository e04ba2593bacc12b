import { invalid, show } from './checks.js'
import { flag, settings, text, type Settings } from './readers.js'

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

const cookieNameText = text('')

const COOKIE = {
  name: (value: unknown, name: string, options: Readonly<Record<string, unknown>>) => {
    const cookieName = cookieNameText(value, name, options)
    if (cookieName !== undefined && !COOKIE_NAME.test(cookieName)) throw invalid(`options.${name} must be a valid cookie name (got ${show(cookieName)}).`)
    return cookieName
  },
  secure: flag(undefined)
}

/** The session cookie's name and whether it is Secure; the other attributes are fixed. */
export const readCookie = settings(COOKIE, { noun: 'a cookie setting of this plugin', note: () => ' (the other attributes are fixed for safety)' })

/** The plugin's cookies, named and secured by the `cookie` option and the callback's scheme. */
export interface CookieSettings {
  secure: boolean
  cookieName: string
  attemptCookiePrefix: string
  bindingCookieName: string
}

/** Whether the cookies are Secure (with an https callback, unless told), and their names. */
export function cookiesFor (cookie: Settings<typeof COOKIE>, callback: URL): CookieSettings {
  if (cookie.secure === false && callback.protocol === 'https:') {
    throw invalid('options.cookie.secure is false but callbackUrl is https: the session cookie would also travel over plain http. Remove cookie.secure.')
  }
  const secure = cookie.secure ?? callback.protocol === 'https:'
  const cookieName = cookie.name ?? (secure ? '__Host-goauth.sid' : 'goauth.sid')
  if ((cookieName.startsWith('__Host-') || cookieName.startsWith('__Secure-')) && !secure) {
    throw invalid(`options.cookie.name ${show(cookieName)} needs secure cookies, but the callback is plain http. Use another name or https.`)
  }
  return {
    secure,
    cookieName,
    attemptCookiePrefix: secure ? '__Secure-goauth.attempt.' : 'goauth.attempt.',
    bindingCookieName: secure ? '__Host-goauth.browser' : 'goauth.browser'
  }
}
