import { avatarColour, initialsOf } from './defaults.js'
import type { Account } from './options.js'

/** What the served script knows: the fake's origin, the accounts it lists, and whether sign-in is denied. */
export interface GsiScriptConfig {
  origin: string
  accounts: ReadonlyArray<{ sub: string, name: string, email: string, initials: string, colour: number }>
  denied: boolean
}

/** The config of the script for these accounts and the auto-consent mode. */
export function gsiScriptConfig (origin: string, accounts: readonly Account[], autoConsent: boolean | string): GsiScriptConfig {
  return {
    origin,
    accounts: accounts.map((a) => ({ sub: a.sub, name: a.name, email: a.email, initials: initialsOf(a.name), colour: avatarColour(a.sub) })),
    denied: autoConsent === 'deny'
  }
}

/**
 * The browser side of Google Identity Services, as a function of its config. Builds every element
 * with the DOM (never from markup), sets no inline style attribute and evaluates no string, so it
 * runs under a strict Content-Security-Policy.
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
  var ERRORS = {
    invalid_client: 'The OAuth client was not found.',
    origin_mismatch: 'The given origin is not allowed for the given client ID.',
    access_denied: 'Access was denied.',
    invalid_request: 'The request was not understood.'
  };
  var settings = null;
  var dialog = null;
  var counter = 0;

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

  function closeDialog () {
    if (dialog !== null) dialog.remove();
    dialog = null;
  }

  function openDialog (selectBy) {
    if (settings === null) {
      log('Call google.accounts.id.initialize() with a client_id first.');
      return;
    }
    closeDialog();
    var id = 'fake-gsi-' + (++counter);
    var close = el('button', { type: 'button', class: 'fake-gsi-close', 'aria-label': 'Close', text: '\\u00d7' });
    var error = el('p', { class: 'fake-gsi-error', role: 'alert' });
    error.hidden = true;
    var buttons = [];
    var body;
    if (config.denied) {
      body = el('p', { class: 'fake-gsi-message', role: 'status', text: 'Access was denied: no account can be chosen.' });
    } else {
      body = el('ul', { class: 'fake-gsi-accounts' }, config.accounts.map(function (account, index) {
        var emailId = id + '-email-' + index;
        var button = el('button', {
          type: 'button',
          class: 'fake-gsi-account',
          'aria-label': 'Continue as ' + account.name,
          'aria-describedby': emailId
        }, [
          el('span', { class: 'fake-gsi-avatar fake-gsi-avatar-' + account.colour, 'aria-hidden': 'true', text: account.initials }),
          el('span', { class: 'fake-gsi-who' }, [
            el('strong', { text: 'Continue as ' + account.name }),
            el('small', { id: emailId, text: account.email })
          ])
        ]);
        button.addEventListener('click', function () { choose(account, selectBy, buttons, error); });
        buttons.push(button);
        return el('li', {}, [button]);
      }));
    }
    dialog = el('div', { class: 'fake-gsi-dialog', role: 'dialog', 'aria-label': 'Sign in with Google' }, [
      el('div', { class: 'fake-gsi-head' }, [
        logo(),
        el('span', { class: 'fake-gsi-title', text: 'Sign in to ' + location.hostname + ' with Google' }),
        close
      ]),
      el('p', { class: 'fake-gsi-badge', text: 'Local test provider \\u00b7 not Google' }),
      body,
      error
    ]);
    close.addEventListener('click', closeDialog);
    dialog.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') closeDialog();
    });
    document.body.appendChild(dialog);
    if (selectBy === 'btn') (buttons[0] || close).focus();
  }

  function choose (account, selectBy, buttons, error) {
    var request = { client_id: settings.client_id, sub: account.sub, select_by: selectBy };
    if (settings.nonce !== null) request.nonce = settings.nonce;
    buttons.forEach(function (button) { button.disabled = true; });
    function fail (message) {
      log(message);
      error.textContent = message;
      error.hidden = false;
      buttons.forEach(function (button) { button.disabled = false; });
    }
    fetch(config.origin + '/gsi/credential', {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request)
    }).then(function (response) {
      return response.json().then(function (answer) {
        return { ok: response.ok, answer: answer || {} };
      }, function () {
        return { ok: false, answer: {} };
      });
    }).then(function (result) {
      if (result.ok && typeof result.answer.credential === 'string') {
        closeDialog();
        deliver(result.answer.credential, selectBy);
      } else {
        fail(ERRORS[result.answer.error] || 'The sign-in failed (' + String(result.answer.error) + ').');
      }
    }, function () {
      fail('No answer from ' + config.origin + ': it is not running, or this page\\'s origin (' + location.origin +
        ') is not an authorized JavaScript origin of any client.');
    });
  }

  function csrfToken () {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function deliver (credential, selectBy) {
    if (settings.callback !== null) {
      settings.callback({ credential: credential, select_by: selectBy });
      return;
    }
    var token = csrfToken();
    document.cookie = 'g_csrf_token=' + token + '; path=/; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
    var field = function (name, value) { return el('input', { type: 'hidden', name: name, value: value }); };
    var form = el('form', {
      method: 'post',
      action: settings.login_uri || location.href.split('#')[0],
      enctype: 'application/x-www-form-urlencoded',
      class: 'fake-gsi-form'
    }, [field('credential', credential), field('g_csrf_token', token), field('select_by', selectBy)]);
    document.body.appendChild(form);
    form.submit();
  }

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

  var link = el('link', { rel: 'stylesheet', href: config.origin + '/gsi/style' });
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
