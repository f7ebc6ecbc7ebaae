// Passkey autofill (WebAuthn conditional mediation): where the browser offers
// it, the login page's username field (autocomplete="username webauthn")
// lists this site's passkeys, and picking one signs in. The request waits in
// the background with fresh options from POST /api/auth/login/passkey/options/;
// it is aborted when the password form is sent, the explicit passkey button
// starts its own request (one WebAuthn request at a time), or the page goes.
// Nothing is shown while it waits or when the browser lacks it: the explicit
// "Sign in with a passkey" button stays for those browsers.

/**
 * @param {object} deps
 * @param {{passkeyLoginOptions(): Promise<object>, loginWithPasskey(credential: object, opts: object): Promise<object>}} deps.api
 * @param {{supported: boolean, get: Function, conditionalAvailable?: () => Promise<boolean>}|null} deps.webauthn
 * @param {() => boolean} deps.remember  whether "Keep me signed in" is checked
 * @param {(user: object) => void} deps.onLogin
 * @param {(err: Error) => void} deps.onError  a passkey was picked but did not sign in
 * @param {() => AbortController} [deps.makeController]
 * @returns {{abort(): void, finished: Promise<string>}} `finished` says how it ended (for tests)
 */
export function startPasskeyAutofill({ api, webauthn, remember, onLogin, onError, makeController = () => new AbortController() }) {
  const controller = makeController();
  const aborted = () => controller.signal.aborted;
  const finished = (async () => {
    if (!webauthn || !webauthn.supported || typeof webauthn.conditionalAvailable !== 'function') return 'unsupported';
    if (!(await webauthn.conditionalAvailable())) return 'unavailable';
    if (aborted()) return 'aborted';
    let options;
    try {
      options = await api.passkeyLoginOptions();
    } catch {
      return 'no-options'; // silent: the explicit button is still there
    }
    if (aborted()) return 'aborted';
    let credential;
    try {
      credential = await webauthn.get(options, { mediation: 'conditional', signal: controller.signal });
    } catch {
      return aborted() ? 'aborted' : 'cancelled';
    }
    if (aborted()) return 'aborted';
    try {
      onLogin(await api.loginWithPasskey(credential, { remember: remember() }));
      return 'signed-in';
    } catch (err) {
      onError(err);
      return 'failed';
    }
  })();
  return {
    abort() {
      if (!aborted()) controller.abort();
    },
    finished,
  };
}
