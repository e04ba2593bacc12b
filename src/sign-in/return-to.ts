const MAX_LENGTH = 512
const BASE = 'http://return-to.invalid'
// Control characters (C0, DEL, C1) and backslashes: browsers treat "\" like "/" and strip tabs/newlines.
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\\]/

function decodeOnce (value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * Returns `value` when it is a same-origin path such as `/reports?page=2`, or `fallback`.
 * Refuses protocol-relative (`//evil`, `/\evil`, `/%2F%2Fevil`), absolute and scheme URLs,
 * control characters, and values over 512 characters before or after normalisation
 * (open-redirect defences; the value also travels in the sign-in attempt's cookie).
 */
export function safeReturnTo (value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return fallback
  if (!value.startsWith('/') || value.startsWith('//')) return fallback
  const decoded = decodeOnce(value)
  if (FORBIDDEN.test(value) || FORBIDDEN.test(decoded) || decoded.startsWith('//')) return fallback
  let url: URL
  try {
    url = new URL(value, BASE)
  } catch {
    return fallback
  }
  if (url.origin !== BASE) return fallback
  // Check the normalised result too: "/a/..//evil" normalises to "//evil".
  const path = url.pathname + url.search + url.hash
  if (path.startsWith('//') || path.startsWith('/\\') || path.length > MAX_LENGTH) return fallback
  return path
}
