import type { FastifyInstance } from 'fastify'
import { onAppHost } from '../http/app-host.js'
import { loginPage } from '../pages/login-page.js'
import { policyWithGoogleButton, sendPage } from '../pages/html.js'
import { oneTapPage } from '../sign-in/one-tap.js'
import { safeReturnTo } from '../sign-in/return-to.js'
import type { RouteContext } from './context.js'

/**
 * GET /login: the sign-in page; a signed-in user goes straight on to `returnTo`. With `oneTap`, it
 * also shows Google's button and One Tap prompt, for an attempt it starts (so it is served on
 * `callbackUrl`'s host, where that attempt's cookie and Google's post meet).
 */
export function loginRoute (app: FastifyInstance, { options, attempts, pages, oneTap }: RouteContext): void {
  app.get<{ Querystring: { returnTo?: unknown } }>(options.routes.login, async (request, reply) => {
    const returnTo = safeReturnTo(request.query.returnTo)
    if (request.googleUser !== null) {
      return reply.header('cache-control', 'no-store').redirect(returnTo, 303)
    }
    const query = returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`
    if (oneTap !== null && !onAppHost(request, options.appOrigin)) {
      return reply.header('cache-control', 'no-store').redirect(`${options.appOrigin}${options.routes.login}${query}`, 302)
    }
    const startUrl = `${options.routes.start}${query}`
    const google = oneTap === null ? null : oneTapPage(oneTap, attempts.begin(request, reply, returnTo))
    if (google === null) attempts.bindBrowser(request, reply)
    const html = typeof options.loginPage === 'function'
      ? await options.loginPage({ startUrl, returnTo, request, oneTap: google })
      : loginPage(startUrl, pages.app, google)
    return google === null
      ? sendPage(reply, 200, html)
      : sendPage(reply, 200, html, { contentSecurityPolicy: policyWithGoogleButton(google.scriptUrl), referrerPolicy: 'strict-origin-when-cross-origin' })
  })
}
