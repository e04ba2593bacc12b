import { sameText } from '../crypto.js'
import { pluginError } from '../errors.js'
import type { OneTapPage } from '../hooks.js'
import type { StartedAttempt } from './attempt.js'

export type { OneTapPage } from '../hooks.js'

export interface OneTapSettings {
  clientId: string
  /** The One Tap route's absolute URL (on `callbackUrl`'s origin). */
  routeUrl: string
  scriptUrl: string
  button: boolean
  prompt: boolean
}

/** The button's and prompt's settings for one page view, bound to the attempt it started. */
export function oneTapPage (settings: OneTapSettings, attempt: StartedAttempt): OneTapPage {
  return {
    clientId: settings.clientId,
    loginUri: `${settings.routeUrl}?state=${encodeURIComponent(attempt.state)}`,
    nonce: attempt.nonce,
    scriptUrl: settings.scriptUrl,
    button: settings.button,
    prompt: settings.prompt
  }
}

/** Longest credential accepted: Google's ID tokens are 1-2 KB. */
const MAX_CREDENTIAL = 4096
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/

/** One string field of a form or JSON body; repeated or other types are refused by the caller. */
function field (body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * The credential of a post by Google's script, after the double-submit check: the `g_csrf_token`
 * cookie and body value must both be there and be equal (security checklist row 29). A credential
 * that is not a JWT of a sane size is CREDENTIAL_INVALID, as one that fails verification is.
 */
export function readOneTapPost (body: unknown, csrfCookie: string | undefined): string {
  const csrf = field(body, 'g_csrf_token')
  if (csrf === undefined || csrfCookie === undefined || csrfCookie === '') throw pluginError('CSRF_TOKEN_MISMATCH', csrf === undefined ? 'one-tap:no-csrf-field' : 'one-tap:no-csrf-cookie')
  if (csrf.length > 512 || !sameText(csrf, csrfCookie)) throw pluginError('CSRF_TOKEN_MISMATCH', 'one-tap:csrf-differs')
  const credential = field(body, 'credential')
  if (credential === undefined || credential.length > MAX_CREDENTIAL || !JWT.test(credential)) {
    throw pluginError('CREDENTIAL_INVALID', 'one-tap:credential-malformed')
  }
  return credential
}
