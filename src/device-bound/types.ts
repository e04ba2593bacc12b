import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Device-bound sessions' shared types: what a session keeps in its record, the option resolved,
 * and what the routes call. Types only, importing nothing from the plugin: the session record,
 * the options and the device binding share them without a circle.
 */

/** The `deviceBound` option, resolved. */
export interface DeviceBoundSettings {
  /** How long a bound cookie counts (ms): a copied one stops working after this. */
  cookieLifetime: number
  /** How long a challenge can be answered (ms). */
  challengeLifetime: number
}

/** What the browser is told at registration and at each refresh (DBSC's session instructions). */
export interface SessionInstructions {
  session_identifier: string
  refresh_url: string
  scope: { include_site: false }
  credentials: Array<{ type: 'cookie', name: string, attributes: string }>
}

/** What the routes and guards use of device binding (see `binding.ts`). */
export interface DeviceBindingRoutes {
  /** Whether the request's session is bound to its device. */
  isBound (request: FastifyRequest): boolean
  /** `POST …/dbsc/register`. */
  register (request: FastifyRequest, reply: FastifyReply): Promise<SessionInstructions>
  /** `POST …/dbsc/refresh`. */
  refresh (request: FastifyRequest, reply: FastifyReply): Promise<SessionInstructions | { continue: false }>
}

/** The algorithms a device key may use: ES256, and RS256 with a modulus of 2048 bits or more. */
export type DeviceKeyAlgorithm = 'ES256' | 'RS256'

/** A device's public key: the algorithm and the key's public members only. */
export interface DeviceKey {
  alg: DeviceKeyAlgorithm
  jwk: { kty: 'EC', crv: 'P-256', x: string, y: string } | { kty: 'RSA', n: string, e: string }
}

/** What a bound session's record keeps: its device's key (never replaced), and when it was bound. */
export type BoundKey = DeviceKey & { boundAt: number }

/** A one-time challenge kept in the session record until answered or expired. */
export interface PendingChallenge {
  value: string
  /** Epoch ms after which it is refused. */
  until: number
}
