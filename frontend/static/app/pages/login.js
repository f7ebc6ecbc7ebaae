// Sign-in page: the password (or a code mailed to the address, on /login/code),
// then (for an account with a second factor) the second step.
// It offers only what this server has (ctx.capabilities): a passkey (the button,
// and the username field's autofill), a code by mail, a reset by mail, sign-up.
// One message at a time: an error replaces the notice it came with ("You're signed out").
import { add, h, link, field, passwordField, formError, setBusy, pageTitle, setChildren, setText } from '../dom.js';
import { ApiError, SecondStepRequired } from '../api.js';
import { unverifiedNotice } from '../unverified.js';
import { passkeyLogin } from './login-passkey.js';
import { emailCodeStep } from './login-code.js';
import { startPasskeyAutofill } from '../passkey-autofill.js';
import { languageSelect } from '../language-select.js';
import { retryWhenBusy } from '../busy-retry.js';
import { t } from '../translate.js';
import { ceremonyErrorMessage, errorMessage } from '../error-text.js';
import { federationErrorMessage } from '../federation.js';
import { providerButtons } from '../provider-buttons.js';
import { ownsDomains, providerForAddress, providerOfRefusal } from '../sso-address.js';

export function mount(container, ctx) {
  const { flash } = ctx;
  // The app's language (i18n.js); this page's password step and its second step's "trust" row are translated.

  let alive = true;
  // The pending passkey autofill request of the password step, if any.
  let autofill = null;
  // The providers the server lists (listedProviders), asked once.
  let providersAsked = null;
  const stopAutofill = () => {
    if (autofill) autofill.abort();
    autofill = null;
  };
  const query = new URLSearchParams((ctx.location && ctx.location.search) || '');
  if (ctx.route && ctx.route.name === 'loginCode') codeSignIn();
  else if (query.get('second_step') && ctx.federation) providerSecondStep();
  else passwordStep({ notice: flash, error: federationErrorMessage(query.get('error')) });
  return () => {
    alive = false;
    stopAutofill();
  };

  /** Back from a provider sign-in of an account with a second factor: the same second step as after a password. */
  async function providerSecondStep() {
    setChildren(container, pageTitle(t('Two-step sign-in'), t('Checking your sign-in…')));
    try {
      const pending = await ctx.federation.pendingSecondStep();
      if (alive) codeStep(pending, { lead: t('You signed in with your provider. One more step to prove it’s you.') });
    } catch (err) {
      if (!alive) return;
      passwordStep({
        error: err instanceof ApiError && err.status === 401
          ? t('That sign-in took too long or was already completed. Please sign in again.')
          : errorMessage(err),
      });
    }
  }

  /** The server's sign-in providers, asked once per page (the buttons and the address-first step share it). */
  function listedProviders() {
    if (!providersAsked) providersAsked = ctx.federation ? ctx.federation.providers() : Promise.resolve([]);
    return providersAsked;
  }

  /** "Continue with …" for each sign-in provider, filled in once the server has said which there are. */
  function providerSection(error) {
    const wrap = h('div', { class: 'provider-section', testid: 'provider-section' });
    if (!ctx.federation) return wrap;
    const next = new URLSearchParams(ctx.location.search).get('next') || '/';
    listedProviders().then((providers) => {
      if (!alive) return;
      const buttons = providerButtons({
        providers,
        error,
        choose: (provider) => ctx.federation.start(provider.slug, { intent: 'login', next }),
      });
      if (buttons) wrap.replaceChildren(h('p', { class: 'auth-divider' }, t('or')), buttons);
    });
    return wrap;
  }

  /** Sign in with a code mailed to the address (the code page, /login/code). */
  function codeSignIn() {
    stopAutofill();
    emailCodeStep(container, ctx, { isAlive: () => alive, onSecondStep: codeStep });
  }

  function passwordStep({ notice: shownNotice = null, error: startError = null } = {}) {
    const { api, signupEnabled, location } = ctx;
    const caps = ctx.capabilities || { passkeys: true, passwordReset: true, loginByCode: true };
    // "webauthn": where the browser has passkey autofill, this field lists the site's passkeys.
    const username = field({
      label: t('Username or email'),
      name: 'username',
      autocomplete: 'username webauthn',
      inputProps: { autocapitalize: 'none', spellcheck: 'false' },
    });
    const password = passwordField({ label: t('Password'), name: 'password', autocomplete: 'current-password' });
    const errorBox = formError();
    let notice = null;
    // Showing an error hides the notice: one message, not "You're signed out" beside "Incorrect password".
    const error = {
      el: errorBox.el,
      show(message) {
        if (notice && message) notice.hidden = true;
        errorBox.show(message);
      },
      clear: () => errorBox.clear(),
    };
    // While a busy server is waited out before the same sign-in is sent again.
    const waitingBox = h('div', { class: 'alert alert-info', role: 'status', testid: 'login-wait', hidden: true });
    const waiting = {
      show(message) {
        if (notice) notice.hidden = true;
        setText(waitingBox, message);
        waitingBox.hidden = false;
      },
      clear() {
        waitingBox.hidden = true;
        setText(waitingBox, '');
      },
    };
    // 403 email_unverified: the password was right, the address still has to be confirmed.
    const unverified = h('div', {});
    const remember = h('input', { type: 'checkbox', name: 'remember', testid: 'remember-me', checked: true, id: 'remember-me' });
    const rememberRow = h(
      'div',
      { class: 'check' },
      remember,
      h('label', { for: 'remember-me' }, t('Keep me signed in')),
      h('p', { class: 'field-hint', id: 'remember-hint' }, t('Uncheck on a shared computer: you are signed out when the browser closes.')),
    );
    remember.setAttribute('aria-describedby', 'remember-hint');
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Sign in'));

    const form = h(
      'form',
      { class: 'form', testid: 'login-form', novalidate: true, 'aria-labelledby': 'login-title', on: { submit: onSubmit } },
      error.el,
      waitingBox,
      unverified,
      username.wrap,
      password.wrap,
      rememberRow,
      submit,
    );

    const next = new URLSearchParams(location.search).get('next');
    const withNext = (path) => (next ? `${path}?next=${encodeURIComponent(next)}` : path);
    const signupHref = withNext('/signup');
    const emailCode = caps.loginByCode
      ? h('p', { class: 'auth-switch auth-alternative' },
        t('No password at hand?'), ' ', link(withNext('/login/code'), { testid: 'login-code-link' }, t('Email me a code')))
      : null;

    const title = pageTitle(t('Sign in'), t('Welcome back. Enter your details to continue.'));
    title.querySelector('h1').id = 'login-title';
    notice = shownNotice ? h('div', { class: `alert alert-${shownNotice.kind}`, role: 'status', testid: 'login-notice' }, shownNotice.text) : null;
    setChildren(container);
    add(container,
      title,
      notice,
      form,
      emailCode,
      caps.passkeys
        ? passkeyLogin({
          api, webauthn: ctx.webauthn, error, remember: () => remember.checked, onLogin: (user) => ctx.onLogin(user),
          beforeStart: stopAutofill, // one WebAuthn request at a time: the button's replaces the autofill's
        })
        : null,
      providerSection(error),
      caps.passwordReset
        ? h('p', { class: 'auth-switch' }, link('/forgot-password', { testid: 'forgot-password-link' }, t('Forgot password?')))
        : null,
      signupEnabled
        ? h('p', { class: 'auth-switch' }, t('New to Gatehouse?'), ' ', link(signupHref, {}, t('Create an account')))
        : null,
      languageSelect(ctx),
    );
    if (startError) error.show(startError);
    username.input.focus();
    startAutofill();

    // A provider owns email domains: ask for the address first, and send a company address to its provider
    // (sso-address.js). Until the server has answered, the page is the usual one.
    let providers = [];
    let addressFirst = false;
    listedProviders().then((list) => {
      if (!alive || !form.isConnected) return;
      providers = list;
      if (!ownsDomains(list) || password.input.value) return;
      addressFirst = true;
      password.wrap.hidden = true;
      rememberRow.hidden = true;
      setText(submit, t('Continue'));
      form.dataset.step = 'address';
    });
    function showPasswordStep() {
      addressFirst = false;
      password.wrap.hidden = false;
      rememberRow.hidden = false;
      setText(submit, t('Sign in'));
      form.dataset.step = 'password';
      password.input.focus();
    }
    async function goToProvider(provider, message) {
      busy = true;
      setBusy(submit, true, t('Continuing with {provider}…', { provider: provider.name }));
      if (message) error.show(message);
      try {
        await ctx.federation.start(provider.slug, { intent: 'login', next: next || '/' });
      } catch (err) {
        if (!alive) return;
        busy = false;
        setBusy(submit, false);
        error.show(errorMessage(err));
      }
    }

    function startAutofill() {
      stopAutofill();
      if (!caps.passkeys || !alive) return;
      autofill = startPasskeyAutofill({
        api,
        webauthn: ctx.webauthn,
        remember: () => remember.checked,
        onLogin: (user) => alive && ctx.onLogin(user),
        onError: (err) => {
          if (!alive) return;
          if (err instanceof ApiError && err.status === 401) error.show(t('This passkey could not sign you in. Is it still on your account?'));
          else error.show(ceremonyErrorMessage(err) || errorMessage(err));
        },
      });
    }

    let busy = false;
    async function onSubmit(event) {
      event.preventDefault();
      if (busy) return;
      stopAutofill(); // the password was chosen: no passkey request stays pending behind it
      if (notice) notice.hidden = true; // "signed out" no longer applies once the user tries again
      error.clear();
      unverified.replaceChildren();
      username.setError(null);
      password.setError(null);
      const u = username.input.value.trim();
      const p = password.input.value;
      const owner = providerForAddress(u, providers);
      if (owner && ctx.federation) {
        stopAutofill();
        await goToProvider(owner);
        return;
      }
      if (addressFirst) {
        if (!u) {
          username.setError(t('Enter your username or email address.'));
          username.input.focus();
          return;
        }
        showPasswordStep();
        return;
      }
      let invalid = false;
      if (!u) {
        username.setError(t('Enter your username or email address.'));
        invalid = true;
      }
      if (!p) {
        password.setError(t('Enter your password.'));
        invalid = true;
      }
      if (invalid) {
        error.show(t('Please fill in both fields.'));
        (u ? password.input : username.input).focus();
        return;
      }
      busy = true;
      setBusy(submit, true, t('Signing in…'));
      try {
        // Every password check of the server taken (503 hashing_busy): say so, wait, send the same again.
        const result = await retryWhenBusy(() => api.login(u, p, { remember: remember.checked }), {
          sleep: (ms) => new Promise((resolve) => ctx.clock.setTimeout(resolve, ms)),
          isAlive: () => alive,
          onWait: ({ message }) => waiting.show(message),
        });
        waiting.clear();
        if (!alive) return;
        if (result instanceof SecondStepRequired) {
          codeStep(result);
          return;
        }
        ctx.onLogin(result);
      } catch (err) {
        if (!alive) return;
        waiting.clear();
        busy = false;
        setBusy(submit, false);
        startAutofill(); // the password did not sign in: the passkeys are offered again
        if (err instanceof ApiError && err.status === 403 && err.code === 'email_unverified') {
          unverified.replaceChildren(unverifiedNotice({
            api,
            email: err.body && typeof err.body.email === 'string' ? err.body.email : '',
            lead: t('Confirm your email address before you sign in.'),
            announce: ctx.announce,
          }));
          password.input.value = '';
        } else if (err instanceof ApiError && err.status === 403 && err.code === 'sso_required') {
          password.input.value = '';
          const owner = providerOfRefusal(err.body, providers);
          if (owner && ctx.federation) await goToProvider(owner, t('Your organisation signs you in with {provider}.', { provider: owner.name }));
          else error.show(err.detail || t('Your organisation signs you in with its own provider.'));
        } else if (err instanceof ApiError && err.status === 401) {
          error.show(t('Incorrect username or password.'));
          password.input.value = '';
          password.input.focus();
        } else if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length) {
          username.setError(err.fields.username);
          password.setError(err.fields.password);
          error.show(err.detail || t('Please check the highlighted fields.'));
        } else {
          error.show(errorMessage(err));
        }
      }
    }
  }

  /**
   * "Trust this device" (MFA_TRUST_DAYS, from the server's config): its password logins skip the second
   * step. Not offered when the server turned it off. Unchecked by default: a shared computer must not.
   */
  function trustDeviceRow() {
    const days = ctx.capabilities ? ctx.capabilities.trustDeviceDays : 30;
    if (!days) return { row: null, checked: () => false };
    const box = h('input', { type: 'checkbox', name: 'trust_device', testid: 'trust-device', id: 'trust-device' });
    box.setAttribute('aria-describedby', 'trust-device-hint');
    const row = h(
      'div',
      { class: 'check' },
      box,
      h('label', { for: 'trust-device' }, t('Trust this device for {count} days', { count: days })),
      h('p', { class: 'field-hint', id: 'trust-device-hint' },
        t('This browser then signs in with your password alone. Not on a shared computer.')),
    );
    return { row, checked: () => box.checked };
  }

  function canUseCodeOf(pending) {
    return pending.methods.includes('totp') || pending.methods.includes('recovery_code');
  }

  /** The second step: a code from the authenticator app, or a recovery code. */
  function codeStep(pending, { lead = t('Your password was right. One more step to prove it’s you.') } = {}) {
    const { api } = ctx;
    stopAutofill();
    let recovery = false;
    const code = field({
      label: t('Authentication code'),
      name: 'code',
      autocomplete: 'one-time-code',
      hint: t('The 6-digit code your authenticator app shows now.'),
      inputProps: { inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false' },
    });
    const hint = code.wrap.querySelector('.field-hint');
    const label = code.wrap.querySelector('label');
    const error = formError();
    const trust = trustDeviceRow();
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Verify'));
    const toggle = h('button', { type: 'button', class: 'btn-link', testid: 'use-recovery-code', on: { click: switchKind } },
      t('Use a recovery code instead'));
    const form = h(
      'form',
      { class: 'form', testid: 'mfa-form', novalidate: true, 'aria-labelledby': 'mfa-title', on: { submit: onSubmit } },
      error.el,
      code.wrap,
      canUseCodeOf(pending) ? trust.row : null,
      submit,
    );
    const methods = pending.methods;
    const canUseCode = methods.includes('totp') || methods.includes('recovery_code');
    const passkey = methods.includes('passkey') && ctx.webauthn && ctx.webauthn.supported
      ? h('button', { type: 'button', class: 'btn btn-secondary btn-block passkey-login', testid: 'mfa-passkey', on: { click: usePasskey } },
        t('Use a passkey'))
      : null;
    const title = pageTitle(t('Two-step sign-in'), lead);
    title.querySelector('h1').id = 'mfa-title';
    setChildren(container);
    add(container,
      title,
      canUseCode ? form : error.el,
      passkey ? h('div', { class: 'passkey-login-wrap' }, canUseCode ? h('p', { class: 'auth-divider' }, t('or')) : trust.row, passkey) : null,
      canUseCode ? h('p', { class: 'auth-switch' }, t('No access to your app? '), toggle) : null,
      h('p', { class: 'auth-switch' }, h('button', { type: 'button', class: 'btn-link', on: { click: () => passwordStep() } }, t('Back to sign in'))),
    );
    if (canUseCode) code.input.focus();
    else if (passkey) passkey.focus();

    async function usePasskey() {
      if (busy) return;
      busy = true;
      error.clear();
      setBusy(passkey, true, t('Waiting for your passkey…'));
      try {
        const options = await api.loginSecondStepPasskeyOptions(pending.mfaToken);
        const credential = await ctx.webauthn.get(options);
        const user = await api.loginSecondStepWithPasskey(pending.mfaToken, credential, { trustDevice: trust.checked() });
        if (!alive) return;
        ctx.onLogin(user);
      } catch (err) {
        if (!alive) return;
        busy = false;
        setBusy(passkey, false);
        if (err instanceof ApiError && err.code === 'mfa_token_invalid') {
          passwordStep({ error: t('That sign-in took too long or was already completed. Enter your password again.') });
        } else if (err instanceof ApiError && err.code === 'code_invalid') {
          error.show(t('That passkey could not confirm it’s you. Try again, or use another way.'));
        } else {
          error.show(ceremonyErrorMessage(err) || errorMessage(err));
        }
      }
    }

    function switchKind() {
      recovery = !recovery;
      setText(label, recovery ? t('Recovery code') : t('Authentication code'));
      setText(hint, recovery
        ? t('One of the recovery codes you saved when you set up two-step sign-in, like 7k2m9-q4xwz. Each works once.')
        : t('The 6-digit code your authenticator app shows now.'));
      code.input.setAttribute('inputmode', recovery ? 'text' : 'numeric');
      code.input.setAttribute('autocomplete', recovery ? 'off' : 'one-time-code');
      setText(toggle, recovery ? t('Use your authenticator app instead') : t('Use a recovery code instead'));
      code.input.value = '';
      code.setError(null);
      error.clear();
      code.input.focus();
    }

    let busy = false;
    async function onSubmit(event) {
      event.preventDefault();
      if (busy) return;
      error.clear();
      code.setError(null);
      const value = code.input.value.trim();
      if (!value) {
        code.setError(recovery ? t('Enter a recovery code.') : t('Enter the code from your authenticator app.'));
        code.input.focus();
        return;
      }
      busy = true;
      setBusy(submit, true, t('Verifying…'));
      try {
        const user = await api.loginSecondStep(pending.mfaToken, value, { trustDevice: trust.checked() });
        if (!alive) return;
        ctx.onLogin(user);
      } catch (err) {
        if (!alive) return;
        busy = false;
        setBusy(submit, false);
        if (err instanceof ApiError && err.code === 'mfa_token_invalid') {
          passwordStep({ error: t('That sign-in took too long or was already completed. Enter your password again.') });
        } else if (err instanceof ApiError && err.code === 'code_invalid') {
          code.setError(recovery
            ? t('That recovery code is not right, or it was used before.')
            : t('That code is not right. Wait for the next one and try again, or use a recovery code.'));
          code.input.value = '';
          code.input.focus();
        } else {
          error.show(errorMessage(err));
        }
      }
    }
  }
}
