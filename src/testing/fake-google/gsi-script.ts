import { avatarColour, initialsOf } from './defaults.js'
import { GSI_CHOOSER } from './gsi-chooser.js'
import type { Account } from './options.js'

/** What the served script knows: where the fake is, the accounts it lists, and whether sign-in is denied. */
export interface GsiScriptConfig {
  /** The fake's origin, named when it does not answer. */
  origin: string
  /** The stylesheet the script adds to the page. */
  styleUrl: string
  /** Where the script asks for a credential for the chosen account. */
  credentialUrl: string
  accounts: ReadonlyArray<{ sub: string, name: string, email: string, initials: string, colour: number }>
  denied: boolean
}

/** The config of the script for the fake at these URLs, these accounts and the auto-consent mode. */
export function gsiScriptConfig (urls: Pick<GsiScriptConfig, 'origin' | 'styleUrl' | 'credentialUrl'>, accounts: readonly Account[], autoConsent: boolean | string): GsiScriptConfig {
  return {
    origin: urls.origin,
    styleUrl: urls.styleUrl,
    credentialUrl: urls.credentialUrl,
    accounts: accounts.map((a) => ({ sub: a.sub, name: a.name, email: a.email, initials: initialsOf(a.name), colour: avatarColour(a.sub) })),
    denied: autoConsent === 'deny'
  }
}

/**
 * The browser side of Google Identity Services, as a function of its config: `google.accounts.id`
 * (`initialize`, `renderButton`, `prompt`, `cancel`), the HTML API (`g_id_onload`, `g_id_signin`),
 * and the account chooser (`gsi-chooser.ts`). Builds every element with the DOM (never from
 * markup), sets a style only through the CSSOM (`element.style`, which CSP allows; never a `style`
 * attribute in markup) and evaluates no string, so it runs under a strict Content-Security-Policy.
 */
const BODY = `function (config) {
  'use strict';
  if (window.google && window.google.accounts && window.google.accounts.id) return;

  var TEXTS = {
    signin_with: 'Sign in with Google',
    signup_with: 'Sign up with Google',
    continue_with: 'Continue with Google',
    signin: 'Sign in'
  };
  var settings = null;

  function log (message) {
    console.error('[GSI_LOGGER]: ' + message);
  }

  function el (tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined) return;
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function logo () {
    return el('span', { class: 'fake-gsi-logo', 'aria-hidden': 'true', text: 'G' });
  }

  function oneOf (value, allowed) {
    return allowed.indexOf(value) >= 0 ? value : allowed[0];
  }

  function text (value) {
    return typeof value === 'string' && value !== '' ? value : null;
  }

  function initialize (options) {
    options = options || {};
    if (!text(options.client_id)) {
      log('Missing required parameter "client_id".');
      return;
    }
    settings = {
      client_id: options.client_id,
      login_uri: text(options.login_uri),
      nonce: text(options.nonce),
      callback: typeof options.callback === 'function' ? options.callback : null
    };
    if (options.auto_prompt === true) openDialog('user');
  }

${GSI_CHOOSER}

  function renderButton (parent, options) {
    if (!parent || typeof parent.appendChild !== 'function') {
      log('renderButton needs an element to render the button in.');
      return;
    }
    options = options || {};
    var label = TEXTS[options.text] || TEXTS.signin_with;
    var icon = options.type === 'icon';
    var classes = [
      'fake-gsi-button',
      'fake-gsi-theme-' + oneOf(options.theme, ['outline', 'filled_blue', 'filled_black']),
      'fake-gsi-size-' + oneOf(options.size, ['large', 'medium', 'small']),
      'fake-gsi-shape-' + oneOf(options.shape, ['rectangular', 'pill', 'circle', 'square'])
    ];
    if (icon) classes.push('fake-gsi-icon');
    var button = el('button', { type: 'button', class: classes.join(' '), 'aria-label': icon ? label : null },
      icon ? [logo()] : [logo(), el('span', { text: label })]);
    var width = Number(options.width);
    if (!icon && width > 0) button.style.width = Math.min(400, Math.max(200, width)) + 'px';
    button.addEventListener('click', function () { openDialog('btn'); });
    parent.replaceChildren(button);
  }

  function fromMarkup () {
    var onload = document.getElementById('g_id_onload');
    if (onload !== null) {
      var callback = onload.getAttribute('data-callback');
      initialize({
        client_id: onload.getAttribute('data-client_id'),
        login_uri: onload.getAttribute('data-login_uri'),
        nonce: onload.getAttribute('data-nonce'),
        callback: callback ? window[callback] : null
      });
    }
    if (settings === null) return;
    Array.prototype.slice.call(document.getElementsByClassName('g_id_signin')).forEach(function (node) {
      var data = function (name) { return node.getAttribute('data-' + name); };
      renderButton(node, { type: data('type'), theme: data('theme'), size: data('size'), text: data('text'), shape: data('shape'), width: data('width') });
    });
    if (onload !== null && onload.getAttribute('data-auto_prompt') !== 'false') openDialog('user');
  }

  window.google = window.google || {};
  window.google.accounts = window.google.accounts || {};
  window.google.accounts.id = {
    initialize: initialize,
    renderButton: renderButton,
    prompt: function () { openDialog('user'); },
    cancel: closeDialog,
    disableAutoSelect: function () {}
  };

  var link = el('link', { rel: 'stylesheet', href: config.styleUrl });
  (document.head || document.documentElement).appendChild(link);

  function start () {
    fromMarkup();
    if (typeof window.onGoogleLibraryLoad === 'function') window.onGoogleLibraryLoad();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}`

/** The script served at `GET /gsi/client`: the browser code applied to its config. */
export function gsiScript (config: GsiScriptConfig): string {
  return `/* Fake Google Identity Services: a local stand-in for https://accounts.google.com/gsi/client. Not Google. */
(${BODY})(${JSON.stringify(config)});
`
}
