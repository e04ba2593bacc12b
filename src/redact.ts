// JWTs, Google access/refresh tokens and authorization codes.
const SECRET_PATTERNS = [
  /eyJ[\w-]*\.[\w-]*\.[\w-]*/g,
  /ya29\.[\w.-]+/g,
  /1\/\/[\w.-]+/g,
  /4\/0[\w.-]+/g
]

/** Replaces anything that looks like a token or code with [redacted], for log lines. */
export function redact (text: string): string {
  return SECRET_PATTERNS.reduce((result, pattern) => result.replace(pattern, '[redacted]'), text)
}
