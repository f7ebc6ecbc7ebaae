// "Confirm it's you": the dialog a route's 403 reauthentication_required opens.
// It re-authenticates this session with the password and resolves true, or
// resolves false when the user cancels; the API client then retries or gives up.
import { h, passwordField, formError, setBusy } from './dom.js';
import { ApiError, errorMessage } from './api.js';
import { openModal } from './dialog.js';
import { ceremonyErrorMessage } from './webauthn.js';

/**
 * @param {object} deps
 * @param {(password: string) => Promise<void>} deps.reauthenticate  api.reauthenticate
 * @param {(() => Promise<void>)|null} [deps.withPasskey]  re-authenticate with a passkey instead (null: not offered)
 * @param {Document} [deps.doc]
 * @returns {Promise<boolean>}
 */
export function askToReauthenticate({ reauthenticate, withPasskey = null, doc = document }) {
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password' });
  const error = formError();
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Confirm');
  const passkey = withPasskey
    ? h('button', { type: 'button', class: 'btn btn-secondary btn-block passkey-login', testid: 'reauth-passkey' }, 'Use a passkey instead')
    : null;
  const form = h(
    'form',
    { class: 'form', testid: 'reauth-form', novalidate: true },
    h('p', { class: 'dialog-message' }, 'For your security, enter your password again to continue.'),
    error.el,
    password.wrap,
    h('div', { class: 'dialog-actions' }, cancel, submit),
    passkey ? h('div', { class: 'reauth-passkey' }, h('p', { class: 'auth-divider' }, 'or'), passkey) : null,
  );
  const { finish, result } = openModal({ doc, title: 'Confirm it’s you', content: [form] });

  cancel.addEventListener('click', () => finish(false));
  if (passkey) {
    passkey.addEventListener('click', async () => {
      error.clear();
      setBusy(passkey, true, 'Waiting for your passkey…');
      try {
        await withPasskey();
        finish(true);
      } catch (err) {
        setBusy(passkey, false);
        error.show(ceremonyErrorMessage(err) || errorMessage(err));
      }
    });
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    password.setError(null);
    if (!password.input.value) {
      password.setError('Enter your password.');
      password.input.focus();
      return;
    }
    setBusy(submit, true, 'Checking…');
    try {
      await reauthenticate(password.input.value);
      finish(true);
    } catch (err) {
      setBusy(submit, false);
      if (err instanceof ApiError && err.status === 400 && err.fields.password) {
        password.setError(err.fields.password);
        password.input.value = '';
        password.input.focus();
      } else {
        error.show(errorMessage(err));
      }
    }
  });
  password.input.focus();
  return result;
}
