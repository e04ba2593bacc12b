import type { Signer } from '@fastify/cookie'
import { stringifySetCookie } from 'cookie'
import type { FastifyRequest } from 'fastify'
import { createDeviceBinding, type DeviceBinding } from '../device-bound/binding.js'
import { boundValue } from '../device-bound/bound-cookie.js'
import { pluginError } from '../errors.js'
import type { Emit } from '../events.js'
import { setCookie, type CookieAttributes } from '../http/cookies.js'
import type { ResolvedOptions } from '../options.js'
import type { SessionBackend } from './backend.js'
import { deepFreeze } from './deep-freeze.js'
import { isRefusal, type AdmitRecord } from './admission.js'
import type { Marks } from './records.js'
import type { LoadedSession } from './token-owner.js'

/** What the plugin's own sessions lend device binding. */
export interface LeanBindingParts {
  options: ResolvedOptions
  records: SessionBackend
  /** The check every read of a session goes through. */
  admitRecord: AdmitRecord
  /** Signs session cookies (the bound cookie is one). */
  signer: Signer
  cookieOptions: CookieAttributes
  /** The request's session, as the hook loaded it. */
  loaded: (request: FastifyRequest) => LoadedSession | null
  marks: Marks
  emit: Emit
}

/**
 * Device-bound sessions over the plugin's own sessions (the `deviceBound` option), or null when
 * it is off: sessions read by id as the hook reads a request's, checked writes confirmed on every
 * instance, and the bound cookie signed as the session cookie is.
 */
export function leanDeviceBinding ({ options, records, admitRecord, signer, cookieOptions, loaded, marks, emit }: LeanBindingParts): DeviceBinding | null {
  const { dbscRegister, dbscRefresh } = options.routes
  if (options.deviceBound === null || dbscRegister === undefined || dbscRefresh === undefined) return null
  const { clock } = options

  /** A session by id, checked as the hook checks a request's; null when it no longer counts. */
  function load (id: string): Promise<LoadedSession | null> {
    return new Promise((resolve, reject) => {
      records.read(id, (error, value) => {
        if (error) return reject(pluginError('SESSION_STORE_UNAVAILABLE', 'device-bound-read'))
        admitRecord(id, value, clock.now(), null, (revocationError, outcome) => {
          if (revocationError) return reject(pluginError('SESSION_STORE_UNAVAILABLE', 'device-bound-revocation'))
          resolve(isRefusal(outcome) ? null : { id, record: outcome })
        })
      })
    })
  }

  return createDeviceBinding({
    current: loaded,
    load,
    async update (id, change) {
      // Confirmed: a bound session's next request, on any instance, sees its key and challenge.
      const written = await records.update(id, change, undefined, true)
      return written === null ? null : deepFreeze(written)
    },
    sendBoundCookie (reply, id, until) {
      setCookie(reply, options.cookieName, signer.sign(boundValue(id, until)), { ...cookieOptions, maxAge: Math.max(0, Math.floor((until - clock.now()) / 1000)) })
    },
    cookieName: options.cookieName,
    // What `Set-Cookie` says of the cookie besides its value and lifetime, as the browser compares it.
    cookieAttributes: stringifySetCookie({ name: 'x', value: '', ...cookieOptions }).slice('x=; '.length),
    marks
  }, { settings: options.deviceBound, secrets: options.secrets, routes: { register: dbscRegister, refresh: dbscRefresh }, absoluteTimeout: options.absoluteTimeout, now: clock.now, emit })
}
