// Sign-in page.
import { add, h, link, field, passwordField, formError, setBusy, pageTitle } from '../dom.js';
import { ApiError, errorMessage } from '../api.js';
import { passkeyLogin } from './login-passkey.js';

export function mount(container, ctx) {
  const { api, flash, signupEnabled, location } = ctx;
  const username = field({ label: 'Username', name: 'username', autocomplete: 'username', inputProps: { autocapitalize: 'none', spellcheck: 'false' } });
  const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password' });
  const error = formError();
  const remember = h('input', { type: 'checkbox', name: 'remember', testid: 'remember-me', checked: true, id: 'remember-me' });
  const rememberRow = h(
    'div',
    { class: 'check' },
    remember,
    h('label', { for: 'remember-me' }, 'Keep me signed in'),
    h('p', { class: 'field-hint', id: 'remember-hint' }, 'Uncheck on a shared computer: you are signed out when the browser closes.'),
  );
  remember.setAttribute('aria-describedby', 'remember-hint');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');

  const form = h(
    'form',
    { class: 'form', testid: 'login-form', novalidate: true, 'aria-labelledby': 'login-title', on: { submit: onSubmit } },
    error.el,
    username.wrap,
    password.wrap,
    rememberRow,
    submit,
  );

  const next = new URLSearchParams(location.search).get('next');
  const signupHref = next ? `/signup?next=${encodeURIComponent(next)}` : '/signup';

  const title = pageTitle('Sign in', 'Welcome back. Enter your details to continue.');
  title.querySelector('h1').id = 'login-title';
  const notice = flash ? h('div', { class: `alert alert-${flash.kind}`, role: 'status' }, flash.text) : null;
  add(container,
    title,
    notice,
    form,
    passkeyLogin({ api, webauthn: ctx.webauthn, error, remember: () => remember.checked, onLogin: (user) => ctx.onLogin(user) }),
    h('p', { class: 'auth-switch' }, link('/forgot-password', { testid: 'forgot-password-link' }, 'Forgot password?')),
    signupEnabled
      ? h('p', { class: 'auth-switch' }, 'New to Gatehouse? ', link(signupHref, {}, 'Create an account'))
      : null,
  );
  username.input.focus();

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    if (notice) notice.hidden = true; // "signed out" no longer applies once the user tries again
    error.clear();
    username.setError(null);
    password.setError(null);
    const u = username.input.value.trim();
    const p = password.input.value;
    let invalid = false;
    if (!u) {
      username.setError('Enter your username.');
      invalid = true;
    }
    if (!p) {
      password.setError('Enter your password.');
      invalid = true;
    }
    if (invalid) {
      error.show('Please fill in both fields.');
      (u ? password.input : username.input).focus();
      return;
    }
    busy = true;
    setBusy(submit, true, 'Signing in…');
    try {
      const user = await api.login(u, p, { remember: remember.checked });
      ctx.onLogin(user);
    } catch (err) {
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.status === 401) {
        error.show('Incorrect username or password.');
        password.input.value = '';
        password.input.focus();
      } else if (err instanceof ApiError && err.status === 400 && Object.keys(err.fields).length) {
        username.setError(err.fields.username);
        password.setError(err.fields.password);
        error.show(err.detail || 'Please check the highlighted fields.');
      } else {
        error.show(errorMessage(err));
      }
    }
  }
}
