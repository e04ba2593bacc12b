import type { DeviceBoundSettings } from '../device-bound/types.js'
import { flagOrSettings, ms, type Settings } from './readers.js'
import { invalid } from './checks.js'

const MINUTE = 60_000

const DEVICE_BOUND = {
  cookieLifetime: ms(10 * MINUTE, { required: 'a bound cookie must stop counting for a copied one to stop working' }),
  challengeLifetime: ms(2 * MINUTE, { required: 'a challenge must expire' })
}

/** Device-bound sessions (DBSC): `true`, or the bound cookie's and challenges' lifetimes; off when left out. */
export const readDeviceBound = flagOrSettings(DEVICE_BOUND)

/** The `deviceBound` settings, refused where the browser would never register (plain http). */
export function deviceBoundFor (settings: Settings<typeof DEVICE_BOUND> | null, callback: URL): DeviceBoundSettings | null {
  if (settings === null) return null
  if (callback.protocol !== 'https:') {
    throw invalid(`options.deviceBound needs the app on https: browsers bind sessions to a device only for a secure origin (callbackUrl is ${callback.origin}). Serve the app over https (for local tests, a certificate the browser trusts), or leave deviceBound out.`)
  }
  return { cookieLifetime: settings.cookieLifetime, challengeLifetime: settings.challengeLifetime }
}
