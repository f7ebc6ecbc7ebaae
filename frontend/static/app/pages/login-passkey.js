// The login page's "Sign in with a passkey": no username, no password; the
// browser offers the passkeys it holds for this site (discoverable credentials).
import { h, setBusy } from '../dom.js';
import { ApiError } from '../api.js';
import { t } from '../translate.js';
import { ceremonyErrorMessage, errorMessage } from '../error-text.js';

/**
 * @param {object} deps
 * @param {object} deps.api
 * @param {{supported: boolean, get: Function}|null} deps.webauthn
 * @param {{show(message: string): void, clear(): void}} deps.error  the login form's error box
 * @param {() => boolean} deps.remember  whether "Keep me signed in" is checked
 * @param {(user: object) => void} deps.onLogin
 * @param {() => void} [deps.beforeStart]  called before the ceremony (ends the autofill's pending request)
 * @returns {HTMLElement|null} nothing when the browser cannot use passkeys
 */
export function passkeyLogin({ api, webauthn, error, remember, onLogin, beforeStart = () => {} }) {
  if (!webauthn || !webauthn.supported) return null;
  const button = h(
    'button',
    { type: 'button', class: 'btn btn-secondary btn-block passkey-login', testid: 'passkey-login' },
    t('Sign in with a passkey'),
  );
  let busy = false;
  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    beforeStart();
    error.clear();
    setBusy(button, true, t('Waiting for your passkey…'));
    try {
      const options = await api.passkeyLoginOptions();
      const credential = await webauthn.get(options);
      onLogin(await api.loginWithPasskey(credential, { remember: remember() }));
    } catch (err) {
      busy = false;
      setBusy(button, false);
      if (err instanceof ApiError && err.status === 401) error.show(t('This passkey could not sign you in. Is it still on your account?'));
      else error.show(ceremonyErrorMessage(err) || errorMessage(err));
      button.focus();
    }
  });
  return h('div', { class: 'passkey-login-wrap' }, h('p', { class: 'auth-divider' }, t('or')), button);
}
