import type { OnSecurityEvent } from '../risc/types.js'
import { flagOrSettings, hook, list, type Settings } from './readers.js'
import type { RiscSettings } from './resolved.js'

const RISC = {
  audiences: list({ of: 'OAuth client ids such as ["1234-abc.apps.googleusercontent.com"]', test: (id) => /^[^\s]{1,255}$/.test(id) }),
  onSecurityEvent: hook<OnSecurityEvent>()
}

/** Cross-Account Protection: `true`, or the audiences besides `clientId` and the app's hook; off when left out. */
export const readRisc = flagOrSettings(RISC)

/** The `risc` settings with the app's own client accepted too. */
export function riscFor (risc: Settings<typeof RISC> | null, clientId: string): RiscSettings | null {
  if (risc === null) return null
  return { audiences: [...new Set([clientId, ...risc.audiences])], onSecurityEvent: risc.onSecurityEvent }
}
