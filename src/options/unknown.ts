import { invalid } from './checks.js'
import { OPTION_NAMES } from './table.js'

// Keys Fastify itself passes to every plugin.
const FASTIFY_KEYS = ['logLevel', 'logSerializers']

/**
 * Refuses unknown options: a typo such as `hostedDomian` must not silently drop a restriction. The
 * options known, and suggested, are those of the table of readers.
 */
export function refuseUnknown (raw: object): void {
  for (const key of Object.keys(raw)) {
    if (OPTION_NAMES.includes(key) || FASTIFY_KEYS.includes(key)) continue
    const close = OPTION_NAMES.find((known) => known.toLowerCase() === key.toLowerCase() || editDistance(known, key) <= 2)
    throw invalid(`options.${key} is not an option of this plugin${close === undefined ? '' : ` (did you mean ${close}?)`}.`)
  }
}

function editDistance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}
