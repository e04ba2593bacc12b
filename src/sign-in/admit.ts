import type { FastifyRequest } from 'fastify'
import { fail, isPluginError, type PluginError } from '../errors.js'
import type { Emit, EventInput, SignInRefusal } from '../events.js'
import type { Clock } from '../options.js'
import type { GoogleIdTokenClaims, GoogleUser } from '../types.js'
import { refusalOf, type Policies } from './policies.js'

/** How a user arrived: Google's redirect flow, Google's button or One Tap, or a Bearer ID token. */
export type SignInMethod = 'redirect' | 'one-tap' | 'bearer'

/** What `onSignIn` receives: the verified user and ID token, the scopes granted, the request. */
export interface SignInContext {
  user: GoogleUser
  claims: Readonly<GoogleIdTokenClaims>
  /** The scopes Google granted (none for One Tap and Bearer tokens: they carry no access). */
  scopes: readonly string[]
  request: FastifyRequest
  /** How the user arrived. With `'bearer'`, what `onSignIn` returns is kept with the token until it expires. */
  method: SignInMethod
}

/** Fields of the app's own (declared by merging into `GoogleUser`) to store with the user; never its `id`. */
export type AppUserFields = Partial<Omit<GoogleUser, 'id'>>

/**
 * The app's say on a sign-in: nothing (sign in as is), an object of fields to store with the user,
 * or `false` (refused); throwing `refuseSignIn(message)` refuses with a message for the person.
 */
export type OnSignIn = (context: SignInContext) => AppUserFields | false | undefined | void | Promise<AppUserFields | false | undefined | void>

const POLICY_MESSAGE = 'This Google account may not sign in here. Use another account, or ask the app\'s administrators for access.'

/**
 * Refuses a sign-in from `onSignIn` with a message the person sees (escaped on the error page):
 * `throw refuseSignIn('Ask an admin for access')`. Answered 403 FST_GOOGLE_OAUTH_SIGN_IN_REFUSED;
 * nothing is stored.
 */
export function refuseSignIn (message: string): PluginError {
  if (typeof message !== 'string' || message.trim() === '') {
    throw fail('INVALID_ARGUMENT', undefined, 'refuseSignIn(message) needs the message the person sees, a non-empty string, e.g. refuseSignIn(\'Ask an admin for access\')')
  }
  return fail('SIGN_IN_REFUSED', 'on-sign-in', message.slice(0, 500))
}

/** The app's code failed: a 500 whose log holds its stack (redacted), never its message in the answer. */
function internal (reason: string, cause?: unknown): PluginError {
  const failure = fail('INTERNAL', reason)
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
    const refusal = refusalOf(user, options.policies)
    if (refusal === 'hosted-domain') throw refuse(refusal, fail('HOSTED_DOMAIN_MISMATCH', user.hostedDomain === null ? 'hd-missing' : 'hd-differs'))
    if (refusal !== null) throw refuse(refusal, fail('SIGN_IN_REFUSED', refusal, POLICY_MESSAGE))
    if (options.onSignIn === null) return user

    let result: Awaited<ReturnType<OnSignIn>>
    let timer: unknown
    try {
      const hook = Promise.resolve().then(() => options.onSignIn!(context))
      result = Number.isFinite(options.onSignInTimeout)
        ? await Promise.race([
          hook,
          new Promise<never>((_resolve, reject) => { timer = options.clock.setTimeout(() => reject(fail('SIGN_IN_HOOK_TIMEOUT', 'on-sign-in:timeout')), options.onSignInTimeout) })
        ])
        : await hook
    } catch (error) {
      if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_SIGN_IN_REFUSED') throw refuse('on-sign-in', error)
      if (isPluginError(error) && error.code === 'FST_GOOGLE_OAUTH_SIGN_IN_HOOK_TIMEOUT') throw failed('on-sign-in-timeout', error)
      throw failed('on-sign-in-threw', internal('on-sign-in-threw', error))
    } finally {
      if (timer !== undefined) options.clock.clearTimeout(timer)
    }
    if (result === false) throw refuse('on-sign-in', fail('SIGN_IN_REFUSED', 'on-sign-in', POLICY_MESSAGE))
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
