/**
 * Freezes a value and everything it holds, and returns it: what a session keeps (the user, the
 * tokens) is plain JSON-like data, read-only for the app all the way down, so that no route can
 * change it in place and have the change written back to the store (`googleUser.roles.push(…)`).
 * An object already frozen is walked too: its children may not be.
 */
export function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
