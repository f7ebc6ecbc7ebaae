// "Confirm it's you": the dialog a route's 403 reauthentication_required opens.
// It re-authenticates this session with the password, or with what else the
// account has (a code of its authenticator app or a recovery code, a passkey),
// and resolves true; it resolves false when the user cancels. The API client
// then retries or gives up. Nothing the account lacks is offered.
// When the 403 names the acceptable `methods` without "password" (changing a
// second factor while one is on), it asks for a code or a passkey only. With
// "provider" among them (an account whose domain a provider requires), it
// offers that provider first, and a code or passkey the account has.
import { h, field, passwordField, formError, setBusy, setText } from './dom.js';
import { t } from './translate.js';
import { ApiError } from './api.js';
import { openModal } from './dialog.js';
import { ceremonyErrorMessage, errorMessage } from './error-text.js';
import { providerButtons } from './provider-buttons.js';

const ASK_PASSWORD = () => t('For your security, enter your password again to continue.');
const ASK_CODE = {
  get totp() { return t('For your security, enter a code from your authenticator app (or a recovery code) to continue.'); },
  get recovery() { return t('For your security, enter one of your recovery codes to continue.'); },
};
const ASK_PASSKEY = () => t('For your security, confirm with your passkey to continue.');
const NOT_LINKED = () => t('To confirm it’s you, sign out, then sign in again through your organisation’s provider.');
const ASK_PROVIDER = () => t('Your organisation signs you in with its own provider. Continue with it to confirm it’s you.');
const USE_CODE = {
  get totp() { return t('Use a code from your authenticator app instead'); },
  get recovery() { return t('Use a recovery code instead'); },
};

/**
 * @param {object} deps
 * @param {(proof: string|{password: string}|{code: string}) => Promise<void>} deps.reauthenticate  api.reauthenticate
 * @param {() => Promise<{code: 'totp'|'recovery'|null, passkey: boolean}>} [deps.options]  what the account has
 *   besides the password (two-step-state.js reauthOptions); only that is offered
 * @param {(() => Promise<void>)|null} [deps.withPasskey]  re-authenticate with a passkey (null: never offered)
 * @param {((provider: {slug: string, name: string, kind: string}) => Promise<void>)|null} [deps.withProvider]
 *   sign in again at one of the account's linked providers (`options` names them as `providers`); the page is left
 * @param {string[]|null} [deps.methods]  what the server accepts here (the 403's `methods`; null: anything)
 * @param {string|null} [deps.provider]  the provider the 403 names with "provider" among `methods`
 * @param {Document} [deps.doc]
 * @returns {Promise<boolean>}
 */
export function askToReauthenticate({
  reauthenticate, options = async () => ({ code: null, passkey: false }), withPasskey = null, withProvider = null,
  methods = null, provider = null, doc = document,
}) {
  // Without "password" among them, only a second factor will do: the server named the account's own.
  const secondFactorOnly = Array.isArray(methods) && !methods.includes('password');
  // The account's company signs it in: its provider first; a second factor it has still does.
  const throughProvider = secondFactorOnly && methods.includes('provider');
  const codeAccepted = !secondFactorOnly || methods.includes('totp') || methods.includes('recovery_code');
  if (secondFactorOnly && !methods.includes('passkey')) withPasskey = null;
  const password = passwordField({ label: t('Password'), name: 'password', autocomplete: 'current-password' });
  const code = field({
    label: t('Authentication code'),
    name: 'code',
    autocomplete: 'one-time-code',
    hint: t('From your authenticator app, or one of your recovery codes.'),
    inputProps: { inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false' },
  });
  let useCode = secondFactorOnly;
  let codeKind = secondFactorOnly && !methods.includes('totp') ? 'recovery' : 'totp';
  password.wrap.hidden = useCode;
  code.wrap.hidden = !useCode || !codeAccepted;
  let open = true;
  const message = h(
    'p',
    { class: 'dialog-message' },
    throughProvider ? ASK_PROVIDER() : !useCode ? ASK_PASSWORD() : codeAccepted ? ASK_CODE[codeKind] : ASK_PASSKEY(),
  );
  const toggle = h(
    'button',
    { type: 'button', class: 'btn-link', testid: 'reauth-use-code', hidden: true },
    USE_CODE.totp,
  );
  const error = formError();
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, t('Cancel'));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', hidden: !codeAccepted }, t('Confirm'));
  // The only way when no code is accepted: then the main button, not an alternative below an "or".
  const passkeyOnly = !codeAccepted && !throughProvider;
  const passkey = withPasskey
    ? h(
        'button',
        { type: 'button', class: `btn ${passkeyOnly ? 'btn-primary' : 'btn-secondary'} btn-block passkey-login`, testid: 'reauth-passkey' },
        passkeyOnly ? t('Use your passkey') : t('Use a passkey instead'),
      )
    : null;
  // Shown at once when the server named a passkey; otherwise once the account is known to have one.
  const passkeyWrap = passkey && !passkeyOnly
    ? h('div', { class: 'reauth-passkey', hidden: !secondFactorOnly }, h('p', { class: 'auth-divider' }, t('or')), passkey)
    : null;
  // "Continue with <provider>": shown once the account is known to have a linked one (not for a second factor).
  const providerWrap = h('div', { class: 'reauth-providers', hidden: true });
  const form = h(
    'form',
    { class: 'form', testid: 'reauth-form', novalidate: true },
    message,
    error.el,
    throughProvider ? providerWrap : null,
    password.wrap,
    code.wrap,
    secondFactorOnly ? null : h('p', { class: 'small' }, toggle),
    passkey && passkeyOnly ? h('div', { class: 'reauth-passkey' }, passkey) : null,
    h('div', { class: 'dialog-actions' }, cancel, submit),
    passkeyWrap,
    throughProvider ? null : providerWrap,
  );
  const { finish, result } = openModal({ doc, title: t('Confirm it’s you'), content: [form] });
  result.then(() => {
    open = false;
  });

  const current = () => (useCode ? code : password);
  toggle.addEventListener('click', () => {
    useCode = !useCode;
    password.wrap.hidden = useCode;
    code.wrap.hidden = !useCode;
    setText(message, useCode ? ASK_CODE[codeKind] : ASK_PASSWORD());
    setText(toggle, useCode ? t('Use your password instead') : USE_CODE[codeKind]);
    error.clear();
    password.setError(null);
    code.setError(null);
    current().input.focus();
  });
  cancel.addEventListener('click', () => finish(false));
  if (passkey) {
    passkey.addEventListener('click', async () => {
      error.clear();
      setBusy(passkey, true, t('Waiting for your passkey…'));
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
      input.setError(useCode ? t('Enter a code.') : t('Enter your password.'));
      input.input.focus();
      return;
    }
    setBusy(submit, true, t('Checking…'));
    try {
      await reauthenticate(useCode ? { code: code.input.value.trim() } : { password: password.input.value });
      finish(true);
    } catch (err) {
      setBusy(submit, false);
      if (!useCode && err instanceof ApiError && err.status === 400 && err.fields.password) {
        password.setError(err.fields.password);
      } else if (useCode && err instanceof ApiError && err.code === 'code_used') {
        code.setError(t('That code was already used. Wait for the next one.'));
      } else if (useCode && err instanceof ApiError && err.code === 'code_invalid') {
        code.setError(t('That code is not right.'));
      } else {
        error.show(errorMessage(err));
        return;
      }
      input.input.value = '';
      input.input.focus();
    }
  });

  function askForRecoveryCode() {
    setText(code.wrap.querySelector('label'), t('Recovery code'));
    setText(code.wrap.querySelector('.field-hint'), t('One of the recovery codes you saved, like 7k2m9-q4xwz. Each works once.'));
    code.input.setAttribute('inputmode', 'text');
  }

  if (codeKind === 'recovery') askForRecoveryCode();
  if (!useCode) password.input.focus();
  else if (codeAccepted) code.input.focus();
  else if (passkey) passkey.focus();
  if (throughProvider) {
    if (!codeAccepted) submit.hidden = true;
    showProviders(() => options().then((has) => ownProvider(has && has.providers)));
    return result;
  }
  if (secondFactorOnly) return result;
  showProviders(options, (has) => {
    if (has.code) {
      codeKind = has.code === 'recovery' ? 'recovery' : 'totp';
      setText(toggle, USE_CODE[codeKind]);
      if (codeKind === 'recovery') askForRecoveryCode();
      toggle.hidden = false;
    }
    if (has.passkey && passkeyWrap) passkeyWrap.hidden = false;
  });
  return result;

  /** The "Continue with …" buttons of the account's linked providers, once `load` names them. */
  function showProviders(load, alsoWith = () => {}) {
    Promise.resolve()
      .then(load)
      .then((has) => {
        if (!open || !has) return;
        alsoWith(has);
        const buttons = withProvider && providerButtons({
          providers: has.providers || [],
          error,
          testid: 'reauth-provider',
          choose: (chosen) => withProvider(chosen),
        });
        if (!buttons) {
          // Its provider is not linked yet: only a new sign-in through it links it (and confirms it's them).
          if (throughProvider) setText(message, NOT_LINKED());
          return;
        }
        const back = h('p', { class: 'small muted' }, t('You’ll come back to this page; then do it again.'));
        // Through its provider: the buttons come first, a code (when accepted) below an "or".
        const divider = () => h('p', { class: 'auth-divider' }, t('or'));
        providerWrap.replaceChildren(...(throughProvider ? [back, buttons] : [divider(), back, buttons]));
        if (throughProvider && codeAccepted) providerWrap.append(divider());
        providerWrap.hidden = false;
      })
      .catch(() => {});
  }

  /** Of the linked providers, the one the server named (the server refuses the others here). */
  function ownProvider(providers) {
    const linked = Array.isArray(providers) ? providers : [];
    return { providers: linked.filter((p) => p && p.slug === provider) };
  }
}
