// "Confirm it's you": the dialog a route's 403 reauthentication_required opens.
// It re-authenticates this session with the password, or with a code of the
// account's second factor when it has one, and resolves true; it resolves
// false when the user cancels. The API client then retries or gives up.
// When the 403 names the acceptable `methods` without "password" (changing a
// second factor while one is on), it asks for a code or a passkey only.
import { h, field, passwordField, formError, setBusy, setText } from './dom.js';
import { ApiError, errorMessage } from './api.js';
import { openModal } from './dialog.js';
import { ceremonyErrorMessage } from './webauthn.js';

const ASK_PASSWORD = 'For your security, enter your password again to continue.';
const ASK_CODE = 'For your security, enter a code from your authenticator app (or a recovery code) to continue.';
const ASK_PASSKEY = 'For your security, confirm with your passkey to continue.';

/**
 * @param {object} deps
 * @param {(proof: string|{password: string}|{code: string}) => Promise<void>} deps.reauthenticate  api.reauthenticate
 * @param {() => Promise<boolean>} [deps.hasSecondFactor]  whether to offer a code instead of the password
 * @param {(() => Promise<void>)|null} [deps.withPasskey]  re-authenticate with a passkey instead (null: not offered)
 * @param {string[]|null} [deps.methods]  what the server accepts here (the 403's `methods`; null: anything)
 * @param {Document} [deps.doc]
 * @returns {Promise<boolean>}
 */
export function askToReauthenticate({
  reauthenticate, hasSecondFactor = async () => false, withPasskey = null, methods = null, doc = document,
}) {
  // Without "password" among them, only a second factor will do: no password field, no way back to it.
  const secondFactorOnly = Array.isArray(methods) && !methods.includes('password');
  const codeAccepted = !secondFactorOnly || methods.includes('totp') || methods.includes('recovery_code');
  if (secondFactorOnly && !methods.includes('passkey')) withPasskey = null;
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password' });
  const code = field({
    label: 'Authentication code',
    name: 'code',
    autocomplete: 'one-time-code',
    hint: 'From your authenticator app, or one of your recovery codes.',
    inputProps: { inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false' },
  });
  let useCode = secondFactorOnly;
  password.wrap.hidden = useCode;
  code.wrap.hidden = !useCode || !codeAccepted;
  let open = true;
  const message = h('p', { class: 'dialog-message' }, !useCode ? ASK_PASSWORD : codeAccepted ? ASK_CODE : ASK_PASSKEY);
  const toggle = h(
    'button',
    { type: 'button', class: 'btn-link', testid: 'reauth-use-code', hidden: true },
    'Use a code from your authenticator app instead',
  );
  const error = formError();
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, 'Cancel');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', hidden: !codeAccepted }, 'Confirm');
  // The only way when no code is accepted: then the main button, not an alternative below an "or".
  const passkeyOnly = !codeAccepted;
  const passkey = withPasskey
    ? h(
        'button',
        { type: 'button', class: `btn ${passkeyOnly ? 'btn-primary' : 'btn-secondary'} btn-block passkey-login`, testid: 'reauth-passkey' },
        passkeyOnly ? 'Use your passkey' : 'Use a passkey instead',
      )
    : null;
  const form = h(
    'form',
    { class: 'form', testid: 'reauth-form', novalidate: true },
    message,
    error.el,
    password.wrap,
    code.wrap,
    secondFactorOnly ? null : h('p', { class: 'small' }, toggle),
    passkey && passkeyOnly ? h('div', { class: 'reauth-passkey' }, passkey) : null,
    h('div', { class: 'dialog-actions' }, cancel, submit),
    passkey && !passkeyOnly ? h('div', { class: 'reauth-passkey' }, h('p', { class: 'auth-divider' }, 'or'), passkey) : null,
  );
  const { finish, result } = openModal({ doc, title: 'Confirm it’s you', content: [form] });
  result.then(() => {
    open = false;
  });

  const current = () => (useCode ? code : password);
  toggle.addEventListener('click', () => {
    useCode = !useCode;
    password.wrap.hidden = useCode;
    code.wrap.hidden = !useCode;
    setText(message, useCode ? ASK_CODE : ASK_PASSWORD);
    setText(toggle, useCode ? 'Use your password instead' : 'Use a code from your authenticator app instead');
    error.clear();
    password.setError(null);
    code.setError(null);
    current().input.focus();
  });
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
    code.setError(null);
    const input = current();
    if (!input.input.value.trim()) {
      input.setError(useCode ? 'Enter a code.' : 'Enter your password.');
      input.input.focus();
      return;
    }
    setBusy(submit, true, 'Checking…');
    try {
      await reauthenticate(useCode ? { code: code.input.value.trim() } : { password: password.input.value });
      finish(true);
    } catch (err) {
      setBusy(submit, false);
      if (!useCode && err instanceof ApiError && err.status === 400 && err.fields.password) {
        password.setError(err.fields.password);
      } else if (useCode && err instanceof ApiError && err.code === 'code_invalid') {
        code.setError('That code is not right, or it was used before.');
      } else {
        error.show(errorMessage(err));
        return;
      }
      input.input.value = '';
      input.input.focus();
    }
  });

  if (!useCode) password.input.focus();
  else if (codeAccepted) code.input.focus();
  else if (passkey) passkey.focus();
  Promise.resolve()
    .then(hasSecondFactor)
    .then((has) => {
      if (has && open && !secondFactorOnly) toggle.hidden = false;
    })
    .catch(() => {});
  return result;
}
