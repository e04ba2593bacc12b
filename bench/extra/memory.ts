import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { MemoryStore } from '@fastify/session'
import Fastify from 'fastify'
import googleOAuth, { BoundedMemoryStore } from 'fastify-google-oauth'
import { DEFAULT_CLIENT, signInAs, startFakeGoogle } from 'fastify-google-oauth/testing'

/**
 * Memory per signed-in session in the default store (BoundedMemoryStore), with a real record from
 * a sign-in through the fake Google, and whether expired sessions really leave memory.
 * Run with `node --expose-gc --import tsx bench/extra/memory.ts [--quick] [--json out.json]`.
 */

export interface MemoryResult {
  sessions: number
  /** Size of one record as JSON (what Redis would hold), bytes. */
  recordJsonBytes: number
  /** Its largest strings, characters. */
  recordStrings: Record<string, number>
  /** heapUsed growth for `sessions` sessions, after GC. */
  heapDeltaBytes: number
  bytesPerSession: number
  /** Whether a store nobody references any more is garbage collected (with its sessions). */
  storeReleasedWhenDropped: boolean
  /** The same records in @fastify/session's MemoryStore (a Map of live objects), for reference. */
  fastifySessionMemoryStoreBytesPerSession: number
  expiry: {
    ttlMs: number
    sessions: number
    /** Store size and heap growth (MB) right after filling. */
    sizeFilled: number
    heapFilledMb: number
    /** How long we waited after filling, with no access to the store (until it emptied, at most 2 × ttl + 1 s). */
    waitedMs: number
    /** Store size and heap growth after that wait, still with no access. */
    sizeAfterWait: number
    heapAfterWaitMb: number
    /** After one get() per stored id (every one must answer nothing). */
    sizeAfterReads: number
    heapAfterReadsMb: number
    /**
     * After `sessions` more were written, left to expire unread for as long, and `sessions` more
     * written again (sign-ins going on, nobody reading the expired ones).
     */
    sizeAfterMoreWrites: number
    heapAfterMoreWritesMb: number
  }
}

type Store = { set (id: string, session: never, callback: (error?: unknown) => void): void, get (id: string, callback: (error: unknown, session?: unknown) => void): void }

/** heapUsed after pending timers ran (they may hold what was just dropped) and full GCs. */
async function gcHeap (): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  await sleep(100)
  gc(); gc()
  return process.memoryUsage().heapUsed
}

const newId = (): string => randomBytes(24).toString('base64url')
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** A copy of `value` whose longer strings (ids, tokens, picture, email) differ from every other copy's. */
function variant (value: unknown): unknown {
  if (typeof value === 'string') {
    if (value.length < 12) return value
    const tail = randomBytes(8)
    let suffix = ''
    for (const byte of tail) suffix += ALPHABET[byte & 63]
    return value.slice(0, -8) + suffix
  }
  if (Array.isArray(value)) return value.map(variant)
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, variant(v)]))
  return value
}

function largestStrings (record: unknown): Record<string, number> {
  const found: Array<[string, number]> = []
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') found.push([path, value.length])
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`)
  }
  walk(record, '')
  return Object.fromEntries(found.sort((a, b) => b[1] - a[1]).slice(0, 4))
}

const put = (store: Store, id: string, record: unknown) => store.set(id, record as never, (error) => { if (error) throw error })

/** Signs in once through the fake Google and returns the record the store holds for that session. */
async function realRecord (): Promise<Record<string, unknown>> {
  let lastId = ''
  class RecordingStore extends BoundedMemoryStore {
    override set (...args: Parameters<BoundedMemoryStore['set']>): void {
      lastId = args[0]
      super.set(...args)
    }
  }
  const store = new RecordingStore({ maxSessions: 10, ttl: 3_600_000 })
  const callbackUrl = 'http://localhost/oauth2/google/callback'
  const google = await startFakeGoogle({ clients: [{ ...DEFAULT_CLIENT, redirectUris: [callbackUrl] }] })
  const app = Fastify()
  try {
    await app.register(googleOAuth, { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, callbackUrl, secret: 'a-benchmark-session-secret-of-at-least-32-chars', endpoints: google.endpoints, store })
    await signInAs(app, google, 'ada@example.com')
    const record = await new Promise<unknown>((resolve, reject) => store.get(lastId, (error, session) => error ? reject(error) : resolve(session)))
    if (typeof record !== 'object' || record === null) throw new Error('the store gave no record back')
    return JSON.parse(JSON.stringify(record)) as Record<string, unknown>
  } finally {
    await app.close()
    await google.close()
  }
}

function fill (store: Store, record: unknown, count: number, ids?: string[]): void {
  // Through JSON, so that the strings are flat copies (as parsed from an ID token or from Redis),
  // not slices sharing the template's characters.
  for (let i = 0; i < count; i++) put(store, ids?.[i] ?? newId(), JSON.parse(JSON.stringify(variant(record))))
}

export async function measureMemory (quick: boolean): Promise<MemoryResult> {
  const sessions = 100_000
  const record = await realRecord()
  const mb = (bytes: number) => bytes / 2 ** 20

  // 100k sessions in the default store.
  let before = await gcHeap()
  let store: BoundedMemoryStore | null = new BoundedMemoryStore({ maxSessions: 200_000, ttl: 3_600_000 })
  const fillStart = performance.now()
  fill(store, record, sessions)
  const fillMs = performance.now() - fillStart
  const heapDeltaBytes = await gcHeap() - before
  if (store.size !== sessions) throw new Error(`store holds ${store.size}, expected ${sessions}`)
  const dropped = new WeakRef(store)
  store = null
  await gcHeap()
  const storeReleasedWhenDropped = dropped.deref() === undefined

  // The same in @fastify/session's MemoryStore, for reference.
  before = await gcHeap()
  let reference: InstanceType<typeof MemoryStore> | null = new MemoryStore()
  fill(reference as unknown as Store, record, sessions)
  const referenceDelta = await gcHeap() - before
  reference = null

  // Expiry, on fewer sessions: a TTL short but longer than filling takes, then nothing touches
  // the store while it passes.
  const expirySessions = 20_000
  const ttlMs = Math.max(quick ? 1_000 : 2_000, Math.ceil((2 * fillMs * expirySessions / sessions + 500) / 500) * 500)
  const ids = Array.from({ length: expirySessions }, newId)
  before = await gcHeap()
  const expiring = new BoundedMemoryStore({ maxSessions: 200_000, ttl: ttlMs })
  fill(expiring, record, expirySessions, ids)
  const filledAt = performance.now()
  const heapFilled = await gcHeap() - before
  const sizeFilled = expiring.size
  const waitFor = 2 * ttlMs + 1_000
  await sleep(ttlMs)
  while (expiring.size > 0 && performance.now() - filledAt < waitFor) await sleep(100)
  const waitedMs = performance.now() - filledAt
  const sizeAfterWait = expiring.size
  const heapAfterWait = await gcHeap() - before
  let found = 0
  for (const id of ids) expiring.get(id, (_error, session) => { if (session) found++ })
  if (found !== 0) throw new Error(`${found} expired sessions were still returned`)
  const heapAfterReads = await gcHeap() - before
  const sizeAfterReads = expiring.size
  // Sign-ins going on: write a batch, let it expire unread, write another.
  fill(expiring, record, expirySessions)
  await sleep(waitedMs)
  fill(expiring, record, expirySessions)
  const heapAfterMoreWrites = await gcHeap() - before
  const sizeAfterMoreWrites = expiring.size

  return {
    sessions,
    recordJsonBytes: Buffer.byteLength(JSON.stringify(record)),
    recordStrings: largestStrings(record),
    heapDeltaBytes,
    bytesPerSession: heapDeltaBytes / sessions,
    storeReleasedWhenDropped,
    fastifySessionMemoryStoreBytesPerSession: referenceDelta / sessions,
    expiry: {
      ttlMs,
      sessions: expirySessions,
      sizeFilled,
      heapFilledMb: mb(heapFilled),
      waitedMs,
      sizeAfterWait,
      heapAfterWaitMb: mb(heapAfterWait),
      sizeAfterReads,
      heapAfterReadsMb: mb(heapAfterReads),
      sizeAfterMoreWrites,
      heapAfterMoreWritesMb: mb(heapAfterMoreWrites)
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const out = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined
  const result = await measureMemory(args.includes('--quick'))
  if (out !== undefined) writeFileSync(out, JSON.stringify(result, null, 2))
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}
