import { deadline } from '../deadline.js'
import { pluginError, isPluginError, type PluginError } from '../errors.js'
import type { Emit, EventInput } from '../events.js'
import type { AppUserFields, OnSignIn, SignInContext, SignInRefusal } from '../hooks.js'
import type { Policies } from '../options/resolved.js'
import type { Clock, GoogleUser } from '../types.js'
import { refusalOf } from './policies.js'

export type { AppUserFields, OnSignIn, SignInContext, SignInMethod } from '../hooks.js'

const POLICY_MESSAGE = 'This Google account may not sign in here. Use another account, or ask the app\'s administrators for access.'

/**
 * Refuses a sign-in from `onSignIn` with a message the person sees (escaped on the error page):
 * `throw refuseSignIn('Ask an admin for access')`. Answered 403 FST_GOOGLE_OAUTH_SIGN_IN_REFUSED;
 * nothing is stored.
 */
export function refuseSignIn (message: string): PluginError {
  if (typeof message !== 'string' || message.trim() === '') {
    throw pluginError('INVALID_ARGUMENT', undefined, 'refuseSignIn(message) needs the message the person sees, a non-empty string, e.g. refuseSignIn(\'Ask an admin for access\')')
  }
  return pluginError('SIGN_IN_REFUSED', 'on-sign-in', message.slice(0, 500))
}

const hookTimeout = (): PluginError => pluginError('SIGN_IN_HOOK_TIMEOUT', 'on-sign-in:timeout')

/** The app's code failed: a 500 whose log holds its stack (redacted), never its message in the answer. */
function internal (reason: string, cause?: unknown): PluginError {
  const failure = pluginError('INTERNAL', reason)
  if (cause !== undefined) failure.cause = cause
  return failure
}

export interface AdmissionOptions {
  policies: Policies
  onSignIn: OnSignIn | null
  /** Bound on `onSignIn` (ms): a hook that hangs must not hold the sign-in forever. Infinity: no bound, and no timer. */
  onSignInTimeout: number
  /** The timer the bound runs on (the plugin's clock). */
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>
  emit: Emit
  /**
   * Whether Google disabled the account (Cross-Account Protection's `account-disabled`, until
   * `account-enabled`): such an account signs in no more, by any way. Null without the `risc` option.
   */
  disabled?: ((userId: string) => Promise<boolean>) | null
}

/**
 * Decides whether a verified Google user signs in, and as whom: the policies first, then the
 * app's `onSignIn`. Every refusal is reported with its reason; nothing here stores anything.
 */
export function createAdmission (options: AdmissionOptions) {
  return async function admit (context: SignInContext): Promise<GoogleUser> {
    const { user, request } = context
    const refuse = (reason: SignInRefusal, failure: PluginError): PluginError => {
      options.emit({ type: 'sign-in-refused', reason, userId: user.id, requestId: request.id })
      return failure
    }
    // The app's hook failed: no sign-in, reported for audit logs too.
    const failed = (reason: Extract<EventInput, { type: 'sign-in-failed' }>['reason'], failure: PluginError): PluginError => {
      options.emit({ type: 'sign-in-failed', reason, userId: user.id, requestId: request.id })
      return failure
    }
    if (options.disabled != null && await options.disabled(user.id)) throw refuse('account-disabled', pluginError('ACCOUNT_DISABLED', 'risc-account-disabled'))
    const refusal = refusalOf(user, options.policies)
    if (refusal === 'hosted-domain') throw refuse(refusal, pluginError('HOSTED_DOMAIN_MISMATCH', user.hostedDomain === null ? 'hd-missing' : 'hd-differs'))
    if (refusal !== null) throw refuse(refusal, pluginError('SIGN_IN_REFUSED', refusal, POLICY_MESSAGE))
    if (options.onSignIn === null) return user

    let result: Awaited<ReturnType<OnSignIn>>
    try {
      const onSignIn = options.onSignIn
      result = await deadline(options.clock, options.onSignInTimeout, hookTimeout, () => Promise.resolve().then(() => onSignIn(context)))
    } catch (error) {
      if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED') throw refuse('on-sign-in', error)
      if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_SIGN_IN_HOOK_TIMEOUT') throw failed('on-sign-in-timeout', error)
      throw failed('on-sign-in-threw', internal('on-sign-in-threw', error))
    }
    if (result === false) throw refuse('on-sign-in', pluginError('SIGN_IN_REFUSED', 'on-sign-in', POLICY_MESSAGE))
    if (result === undefined || result === null) return user
    if (typeof result !== 'object' || Array.isArray(result)) throw failed('on-sign-in-returned-no-object', internal('on-sign-in-returned-no-object'))
    if ('id' in result && (result as { id?: unknown }).id !== user.id) throw failed('on-sign-in-changed-id', internal('on-sign-in-changed-id'))
    let fields: AppUserFields
    try {
      // What is stored must come back the same from any store (Redis keeps JSON).
      fields = JSON.parse(JSON.stringify(result)) as AppUserFields
    } catch (error) {
      throw failed('on-sign-in-returned-no-json', internal('on-sign-in-returned-no-json', error))
    }
    return { ...user, ...fields, id: user.id }
  }
}

export type Admit = ReturnType<typeof createAdmission>
