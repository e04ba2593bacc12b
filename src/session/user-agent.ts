/**
 * A short description of the device a session was signed in from, such as "Chrome on macOS",
 * read from its `User-Agent` header once, at sign-in. Only what people recognise on a list of
 * their own devices: the browser's family and the operating system, never versions or models
 * (browsers freeze or reduce those anyway). Anything else is named by its first product token
 * ("curl"), or "Unknown device".
 *
 * A table, not a library: the families below are the ones browsers announce in a stable way, in
 * the order that tells them apart (Edge and Opera also say Chrome; Chrome also says Safari; iOS
 * also says "like Mac OS X"; Android also says Linux).
 */

/** What a header longer than this adds is not read (no family is announced that far in). */
const MAX_READ = 512

/** Browsers, first match wins. */
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|OPiOS)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\bHeadlessChrome\//, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS)\//, 'Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari']
]

/** Operating systems, first match wins. */
const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(?:iPhone|iPod)\b/, 'iOS'],
  [/\biPad\b/, 'iPadOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\b(?:Macintosh|Mac OS X)\b/, 'macOS'],
  [/\b(?:Linux|X11)\b/, 'Linux']
]

/** A product token as tools send it (`curl/8.5.0`, `python-requests/2.32`): only its name, safe to show anywhere. */
const PRODUCT = /^([A-Za-z][A-Za-z0-9._-]{0,31})(?:\/|\s|$)/

const UNKNOWN = 'Unknown device'

const first = (table: ReadonlyArray<readonly [RegExp, string]>, text: string): string | undefined =>
  table.find(([pattern]) => pattern.test(text))?.[1]

/** The device a `User-Agent` header names, e.g. "Firefox on Windows", "Android WebView", "curl". */
export function describeDevice (userAgent: string | string[] | undefined): string {
  const text = (Array.isArray(userAgent) ? userAgent[0] : userAgent)?.slice(0, MAX_READ).trim() ?? ''
  if (text === '') return UNKNOWN
  if (!text.startsWith('Mozilla/')) return PRODUCT.exec(text)?.[1] ?? UNKNOWN
  const system = first(SYSTEMS, text)
  // An app's embedded browser on Android marks itself `; wv)`: it is the app, not Chrome.
  if (system === 'Android' && /;\s*wv\)/.test(text)) return 'Android WebView'
  const browser = first(BROWSERS, text)
  if (browser === undefined) return system === undefined ? UNKNOWN : `Browser on ${system}`
  return system === undefined ? browser : `${browser} on ${system}`
}
