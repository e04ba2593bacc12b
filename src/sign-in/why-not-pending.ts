import { errorNameOf, pluginError, type PluginError } from '../errors.js'
import type { Refusal, TakeResult } from './attempt.js'

/** Why no pending attempt matched, in words a person can act on. */
export function whyNotPending (taken: Extract<TakeResult, { ok: false }>, appOrigin: string): PluginError {
  if (taken.reason === 'expired') return pluginError('STATE_EXPIRED', taken.reason)
  if (taken.reason === 'refused' && taken.refusal !== undefined) return refusedBefore(taken.refusal)
  const why = taken.reason === 'no-browser-cookies'
    ? `this browser brought back none of the cookies the sign-in set, as happens when it starts on another address than ${appOrigin} (localhost and 127.0.0.1 are different sites). Open the app at ${appOrigin} and sign in again.`
    : taken.reason === 'no-attempt-cookie'
      ? 'it is no longer pending: its link was used already (a sign-in link works once, whether the sign-in went through or was refused), or more than five sign-ins were started at once in this browser and it was dropped. Start the sign-in again.'
      : taken.reason === 'replayed'
        ? 'its link was used already: a sign-in link works once, and opening it again does not sign in again. Start the sign-in again.'
        : 'it was started in another browser, or its link was used already. Start the sign-in again.'
  return pluginError('STATE_MISMATCH', taken.reason, why)
}

/** A refused sign-in's callback opened again: the same error (code, status, message), saying that opening it again does not retry. */
function refusedBefore (refusal: Refusal): PluginError {
  const name = errorNameOf(refusal.code)
  if (name === null) return pluginError('STATE_MISMATCH', 'refused', 'this sign-in was refused already. Start the sign-in again.')
  const failure = pluginError(name, 'refused-before')
  failure.message = `${refusal.message.replace(/\s*Start the sign-in again\.$/, '')} Opening this page again does not retry it: start the sign-in again.`
  return failure
}
