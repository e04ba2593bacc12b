/**
 * A bound session's cookie value: the session id and, after a dot, when the cookie stops counting
 * (epoch ms, base 36), signed together. The browser is told the same lifetime, but a copied
 * cookie's holder need not obey it: the server refuses the value once that time has passed, and
 * only a proof from the device key gets a new one. Session ids are base64url: they hold no dot.
 */
export const boundValue = (id: string, until: number): string => `${id}.${until.toString(36)}`

/** The id and end of a signed cookie's value: `until` is null for an unbound session's cookie (the id alone). */
export function readBoundValue (value: string): { id: string, until: number | null } {
  const dot = value.indexOf('.')
  if (dot === -1) return { id: value, until: null }
  const until = Number.parseInt(value.slice(dot + 1), 36)
  // A value we did not write (we signed it, so this cannot happen but by a change of format): counts as long gone.
  return { id: value.slice(0, dot), until: Number.isSafeInteger(until) ? until : 0 }
}
