// The code page (/login/code): sign in with a one-time code mailed to the
// account's address. First the address ("Send code"), then the code from the
// mail. The mail links here with the address in the URL fragment
// (#email=…), which no server sees; the page reads it, drops it from the
// address bar, and goes straight to the code. The code itself is never in a
// URL. The server answers the same whether or not an account has the address,
// and so does this page.
import { add, h, link, field, formError, setBusy, pageTitle, setChildren } from '../dom.js';
import { ApiError, SecondStepRequired } from '../api.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

export const SENT_MESSAGE = () => t('If an account has this address, we’ve mailed it a sign-in code. It works once, for 10 minutes.');

/** The address a mail's link carries in the fragment ("#email=…"), or ''. */
export function addressFromFragment(hash) {
  try {
    const value = new URLSearchParams(String(hash || '').replace(/^#/, '')).get('email');
    return value && /^[^\s@]+@[^\s@]+$/.test(value.trim()) ? value.trim() : '';
  } catch {
    return '';
  }
}

/**
 * @param {HTMLElement} container
 * @param {object} ctx  the page context (api, location, onLogin, announce, navigate)
 * @param {object} deps
 * @param {() => boolean} deps.isAlive  false once the page is gone
 * @param {(pending: SecondStepRequired) => void} deps.onSecondStep  the account has a second factor
 */
export function emailCodeStep(container, ctx, { isAlive, onSecondStep }) {
  const { api, location } = ctx;
  const fromLink = addressFromFragment(location && location.hash);
  if (fromLink && typeof window !== 'undefined' && window.history && window.history.replaceState) {
    // The address is personal: keep it out of the history and of any bookmark.
    window.history.replaceState(window.history.state, '', `${location.pathname}${location.search}`);
  }
  const email = field({ label: t('Email'), name: 'email', type: 'email', autocomplete: 'email', value: fromLink });
  const code = field({
    label: t('Sign-in code'),
    name: 'code',
    autocomplete: 'one-time-code',
    hint: t('The 6-digit code in the mail we sent you.'),
    inputProps: { inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false', maxlength: '12' },
  });
  const error = formError();
  const sent = h('div', { class: 'alert alert-success', role: 'status', testid: 'login-code-sent', hidden: true }, SENT_MESSAGE());
  const remember = h('input', { type: 'checkbox', name: 'remember', checked: true, id: 'code-remember-me' });
  const rememberRow = h('div', { class: 'check' }, remember, h('label', { for: 'code-remember-me' }, t('Keep me signed in')));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Send code'));
  const again = h('button', { type: 'button', class: 'btn-link', testid: 'login-code-resend', on: { click: sendCode } }, t('Send a new code'));
  const other = h('button', { type: 'button', class: 'btn-link', on: { click: otherAddress } }, t('Use another address'));
  const codeActions = h('p', { class: 'auth-switch', hidden: true }, again, ' · ', other);
  const form = h(
    'form',
    { class: 'form', testid: 'login-code-form', novalidate: true, 'aria-labelledby': 'login-code-title', on: { submit: onSubmit } },
    error.el,
    sent,
    email.wrap,
    code.wrap,
    rememberRow,
    submit,
  );
  const next = new URLSearchParams((location && location.search) || '').get('next');
  const title = pageTitle(t('Sign in with a code'), t('We’ll mail a one-time code to the address of your account.'));
  title.querySelector('h1').id = 'login-code-title';
  setChildren(container);
  add(container,
    title,
    form,
    codeActions,
    h('p', { class: 'auth-switch' }, t('Have your password? '),
      link(next ? `/login?next=${encodeURIComponent(next)}` : '/login', { testid: 'password-login-link' }, t('Sign in with it'))),
  );

  let step = 'email';
  show(fromLink ? 'code' : 'email');

  function show(which) {
    step = which;
    const codeShown = which === 'code';
    code.wrap.hidden = !codeShown;
    rememberRow.hidden = !codeShown;
    codeActions.hidden = !codeShown;
    email.input.readOnly = codeShown;
    submit.textContent = codeShown ? t('Sign in') : t('Send code');
    (codeShown ? code.input : email.input).focus();
  }

  function otherAddress() {
    sent.hidden = true;
    error.clear();
    code.input.value = '';
    code.setError(null);
    show('email');
  }

  function validAddress() {
    const value = email.input.value.trim();
    if (!value || !/^[^\s@]+@[^\s@]+$/.test(value)) {
      email.setError(value ? t('Enter a valid email address.') : t('Enter your email address.'));
      error.show(t('Please correct the highlighted field.'));
      show('email');
      return '';
    }
    return value;
  }

  let busy = false;
  async function sendCode() {
    if (busy) return;
    error.clear();
    email.setError(null);
    const value = validAddress();
    if (!value) return;
    busy = true;
    setBusy(submit, true, t('Sending…'));
    try {
      await api.requestLoginCode(value);
      if (!isAlive()) return;
      busy = false;
      setBusy(submit, false);
      sent.hidden = false;
      code.input.value = '';
      code.setError(null);
      show('code');
      if (ctx.announce) ctx.announce(SENT_MESSAGE());
    } catch (err) {
      if (!isAlive()) return;
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.status === 400 && err.fields && err.fields.email) {
        email.setError(err.fields.email);
        error.show(err.detail || t('Please correct the highlighted field.'));
        show('email');
      } else {
        error.show(errorMessage(err));
      }
    }
  }

  async function signIn() {
    if (busy) return;
    error.clear();
    code.setError(null);
    const address = validAddress();
    if (!address) return;
    const value = code.input.value.replace(/\s+/g, '');
    if (!value) {
      code.setError(t('Enter the code from the mail.'));
      code.input.focus();
      return;
    }
    busy = true;
    setBusy(submit, true, t('Signing in…'));
    try {
      const result = await api.loginWithCode(address, value, { remember: remember.checked });
      if (!isAlive()) return;
      if (result instanceof SecondStepRequired) {
        onSecondStep(result);
        return;
      }
      ctx.onLogin(result);
    } catch (err) {
      if (!isAlive()) return;
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.status === 401) {
        code.setError(t('That code is not right, or it has expired or was used. Check the latest mail, or send a new code.'));
        code.input.value = '';
        code.input.focus();
      } else if (err instanceof ApiError && err.status === 400 && err.fields && (err.fields.code || err.fields.email)) {
        code.setError(err.fields.code);
        email.setError(err.fields.email);
        error.show(err.detail || t('Please correct the highlighted fields.'));
      } else {
        error.show(errorMessage(err));
      }
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    if (step === 'code') signIn();
    else sendCode();
  }
}
