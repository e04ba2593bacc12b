/**
 * The account chooser of the fake Google Identity Services script (`gsi-script.ts`), as browser
 * code spliced into the script's function: the dialog that Google's button and One Tap open, the
 * request for the chosen account's credential (`POST /gsi/credential`), and its delivery to the
 * page, to its `callback` or as the form post to `login_uri` with the `g_csrf_token` double-submit
 * cookie. It uses the script's `config`, `settings`, `log`, `el` and `logo`; it declares
 * `closeDialog` and `openDialog` for the script's API.
 */
export const GSI_CHOOSER = `  var ERRORS = {
    invalid_client: 'The OAuth client was not found.',
    origin_mismatch: 'The given origin is not allowed for the given client ID.',
    access_denied: 'Access was denied.',
    invalid_request: 'The request was not understood.'
  };
  var dialog = null;
  var counter = 0;

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
    fetch(config.credentialUrl, {
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
  }`
