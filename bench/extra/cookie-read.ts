import { parseCookie } from 'cookie'
import { findCookie } from '../../src/http/cookies.js'

/**
 * ns per request to find the session cookie in a Cookie header: the plugin's pair-boundary scan
 * (`findCookie`) against parsing the whole header with @fastify/cookie's parser (cookie@2).
 * Interleaved rounds, medians. Run with `npx tsx bench/extra/cookie-read.ts`.
 */
const name = 'goauth.sid'
const value = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345.SiGnAtUrEsIgNaTuReSiGnAtUrE0123456789abcd'
const headers = {
  'session cookie only': `${name}=${value}`,
  'typical (analytics, preferences, session)': `_ga=GA1.1.1234567890.1700000000; theme=dark; _gid=GA1.1.987654321.1700000000; ${name}=${value}; consent=yes`
}
const readers = {
  'findCookie (ours)': (header: string) => findCookie(header, name).value,
  'parseCookie (whole header)': (header: string) => parseCookie(header)[name]
}
for (const [label, header] of Object.entries(headers)) {
  const samples: Record<string, number[]> = {}
  for (let round = 0; round < 11; round++) {
    for (const [reader, read] of Object.entries(readers).sort(() => Math.random() - 0.5)) {
      let length = 0
      const started = process.hrtime.bigint()
      for (let i = 0; i < 500_000; i++) length += read(header)?.length ?? 0
      if (length === 0) throw new Error('nothing read')
      ;(samples[reader] ??= []).push(Number(process.hrtime.bigint() - started) / 500_000)
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!
  process.stdout.write(`${label}: ${Object.entries(samples).map(([reader, ns]) => `${reader} ${median(ns).toFixed(0)} ns`).join(', ')}\n`)
}
