import type { OneTapPage } from '../hooks.js'
import { escapeHtml, GOOGLE_LOGO, renderPage, type AppInfo } from './html.js'

/**
 * Google's HTML API for the button and One Tap: a `g_id_onload` element with the settings, a
 * `g_id_signin` element where the button goes, and Google's script (no inline script).
 */
function oneTapMarkup (page: OneTapPage): string {
  return `<div id="g_id_onload" data-client_id="${escapeHtml(page.clientId)}" data-login_uri="${escapeHtml(page.loginUri)}" data-nonce="${escapeHtml(page.nonce)}" data-auto_prompt="${page.prompt}" data-itp_support="true" data-use_fedcm_for_prompt="true"></div>
${page.button ? '<div class="g_id_signin" data-type="standard" data-shape="pill" data-text="signin_with" data-size="large" data-logo_alignment="left"></div>' : ''}
<script src="${escapeHtml(page.scriptUrl)}" async></script>`
}

/**
 * The built-in sign-in page: one button that starts the Google sign-in, and Google's own button and
 * One Tap with `oneTap`. One control of each kind, none looking like another: beside Google's
 * "Sign in with Google" button, the redirect is the plain way to Google's sign-in page in this window
 * (for when the button cannot show, or another account is wanted).
 */
export function loginPage (startUrl: string, app: AppInfo, oneTap: OneTapPage | null = null): string {
  const title = app.name === null ? 'Sign in' : `Sign in to ${app.name}`
  const redirect = oneTap?.button === true
    ? `<a class="button" href="${escapeHtml(startUrl)}"><span>Sign in with Google in this window</span></a>`
    : `<a class="button" href="${escapeHtml(startUrl)}">${GOOGLE_LOGO}<span>Sign in with Google</span></a>`
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>
<p>Use your Google account to continue.</p>
${oneTap === null ? '' : `${oneTapMarkup(oneTap)}\n<p class="or">or</p>\n`}${redirect}`, app, oneTap === null ? 'no-referrer' : 'strict-origin-when-cross-origin')
}
