import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { portalPage, serverErrorPage } from './pages.js'
import type { FakeGoogleEndpoint, Misbehaviour } from './types.js'

const ENDPOINTS: readonly string[] = ['authorization', 'token', 'userinfo', 'revocation', 'certs'] satisfies FakeGoogleEndpoint[]

const NAMED: readonly string[] = [
  'invalid_grant', 'invalid_client', 'server_error', 'unavailable', 'rate_limited', 'hang', 'reset',
  'malformed', 'html', 'empty', 'no_id_token', 'huge', 'chunked-huge', 'redirect'
]
const HUGE_BYTES = 5 * 1024 * 1024
/** 'chunked-huge' pads the normal answer to this many bytes. */
const CHUNKED_HUGE_BYTES = 20 * 1024 * 1024
const CHUNK = 'x'.repeat(64 * 1024)
/** Where 'redirect' sends the client: a path of the fake that answers like the endpoint would have. */
export const REDIRECT_TARGET_PATH = '/redirect-target'

/** Whether `misbehave` applies to the endpoint (discovery, the GSI stand-in and the APIs never misbehave). */
export function canMisbehave (endpoint: string): endpoint is FakeGoogleEndpoint {
  return ENDPOINTS.includes(endpoint)
}

/**
 * A JSON object answer padded to `CHUNKED_HUGE_BYTES` and streamed in chunks, without a
 * Content-Length: `{"padding":"xxxx…", <the answer's own members>}`.
 */
function paddedStream (json: string): Readable {
  const rest = json.trim().replace(/^\{/, '')
  const head = '{"padding":"'
  const tail = rest === '}' ? '"}' : `",${rest}`
  let sent = 0
  const padding = CHUNKED_HUGE_BYTES - head.length - tail.length
  return new Readable({
    read () {
      if (sent === 0) this.push(head)
      if (sent >= padding) {
        this.push(tail)
        this.push(null)
        return
      }
      const size = Math.min(CHUNK.length, padding - sent)
      sent += size
      this.push(size === CHUNK.length ? CHUNK : CHUNK.slice(0, size))
    }
  })
}

let hugeBody: string | undefined

interface Active {
  behaviour: Misbehaviour
  remaining: number
}

/** The misbehaviour set on each endpoint, and the requests it holds open. */
export class Behaviours {
  readonly #active = new Map<FakeGoogleEndpoint, Active>()
  readonly #held = new Set<Socket>()
  readonly #closing = new AbortController()
  /** Requests whose token response must lose its `id_token`. */
  readonly stripIdToken = new WeakSet<FastifyRequest>()
  /** Requests whose answer is padded to 20 MB and streamed in chunks. */
  readonly padChunked = new WeakSet<FastifyRequest>()

  /** Sets an endpoint's misbehaviour for `times` requests (Infinity: until cleared). Throws on bad input. */
  set (endpoint: FakeGoogleEndpoint, behaviour: Misbehaviour, times = Infinity): void {
    if (!ENDPOINTS.includes(endpoint)) {
      throw new TypeError(`misbehave: unknown endpoint ${JSON.stringify(endpoint)}; use one of ${ENDPOINTS.join(', ')}`)
    }
    if (typeof behaviour === 'string') {
      if (!NAMED.includes(behaviour)) throw new TypeError(`misbehave: unknown behaviour ${JSON.stringify(behaviour)}`)
      if (behaviour === 'no_id_token' && endpoint !== 'token') {
        throw new TypeError("misbehave: 'no_id_token' applies to the 'token' endpoint only")
      }
    } else if (typeof behaviour?.delayMs !== 'number' || !(behaviour.delayMs >= 0) || !Number.isFinite(behaviour.delayMs)) {
      throw new TypeError('misbehave: a delay must be { delayMs: number } with a finite delayMs >= 0')
    }
    if (times !== Infinity && (!Number.isInteger(times) || times < 1)) {
      throw new TypeError(`misbehave: times must be a positive integer, got ${String(times)}`)
    }
    this.#active.set(endpoint, { behaviour, remaining: times })
  }

  /** Forgets every misbehaviour. */
  clear (): void {
    this.#active.clear()
  }

  /** The misbehaviour for this request to the endpoint, if any, counting it. */
  take (endpoint: FakeGoogleEndpoint): Misbehaviour | undefined {
    const active = this.#active.get(endpoint)
    if (active === undefined) return undefined
    if (--active.remaining <= 0) this.#active.delete(endpoint)
    return active.behaviour
  }

  /**
   * Answers (or refuses to answer) a request as the behaviour says. Returns true when the
   * request was dealt with; false when the route must answer it normally.
   */
  async apply (behaviour: Misbehaviour, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (typeof behaviour === 'object') {
      try {
        await sleep(behaviour.delayMs, undefined, { signal: this.#closing.signal })
        return false
      } catch {
        this.#drop(request, reply)
        return true
      }
    }
    switch (behaviour) {
      case 'invalid_grant':
        reply.code(400).send({ error: 'invalid_grant', error_description: 'Bad Request' })
        return true
      case 'invalid_client':
        reply.code(401).send({ error: 'invalid_client', error_description: 'Unauthorized' })
        return true
      case 'server_error':
        reply.code(500).type('text/html; charset=UTF-8').send(serverErrorPage())
        return true
      case 'unavailable':
        reply.code(503).send({ error: 'temporarily_unavailable', error_description: 'The service is currently unavailable.' })
        return true
      case 'rate_limited':
        reply.code(429).header('retry-after', '1')
          .send({ error: 'rate_limit_exceeded', error_description: 'Rate limit exceeded. Try again later.' })
        return true
      case 'hang':
        this.#hold(request, reply)
        return true
      case 'reset':
        this.#drop(request, reply)
        return true
      case 'malformed':
        reply.code(200).type('application/json; charset=utf-8').send('{"access_token":"ya29.a0AfH6SM')
        return true
      case 'html':
        reply.code(200).type('text/html; charset=UTF-8').send(portalPage())
        return true
      case 'empty':
        reply.code(200).send({})
        return true
      case 'no_id_token':
        this.stripIdToken.add(request)
        return false
      case 'huge':
        hugeBody ??= `{"padding":"${'x'.repeat(HUGE_BYTES)}"}`
        reply.code(200).type('application/json; charset=utf-8').send(hugeBody)
        return true
      case 'chunked-huge':
        this.padChunked.add(request)
        return false
      case 'redirect':
        // 307 keeps the method and body: a client that follows it sends its form (secrets and all) there.
        reply.code(307).header('location', REDIRECT_TARGET_PATH + (request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '')).send()
        return true
    }
  }

  /** The payload as sent, or as the behaviour changes it (onSend). */
  transform (request: FastifyRequest, payload: unknown): unknown {
    if (!this.padChunked.has(request) || typeof payload !== 'string') return payload
    return paddedStream(payload)
  }

  /** Ends every held request and cancels every delay. */
  releaseAll (): void {
    this.#closing.abort()
    for (const socket of this.#held) socket.destroy()
    this.#held.clear()
  }

  #hold (request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    const socket = request.raw.socket
    if (this.#closing.signal.aborted) {
      socket.destroy()
      return
    }
    this.#held.add(socket)
    socket.once('close', () => this.#held.delete(socket))
  }

  #drop (request: FastifyRequest, reply: FastifyReply): void {
    reply.hijack()
    const socket = request.raw.socket
    // A TCP RST where supported, so the client sees ECONNRESET rather than a clean close.
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
    else socket.destroy()
  }
}
