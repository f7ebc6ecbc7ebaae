// The page a reset link opens: /reset-password?token=… . Choose a new
// password; then every session of the account has ended and the user signs in.
import { add, h, link, passwordField, newPasswordField, fieldCheck, serverErrorSummary, formError, setBusy, pageTitle, setChildren } from '../dom.js';
import { ApiError, errorMessage } from '../api.js';

export const LINK_INVALID_MESSAGE =
  'This link can’t be used: it has expired or was used already (or the password changed since it was sent). ' +
  'Ask for a new one.';
export const DONE_MESSAGE = 'Your password has been changed and every device was signed out. Sign in with your new password.';

export function mount(container, ctx) {
  const { api, location } = ctx;
  const token = new URLSearchParams(location.search).get('token') || '';
  const body = h('div', {});
  add(container, pageTitle('Choose a new password', 'Pick a password you don’t use anywhere else.'), body);

  if (!token) {
    showInvalid('This link is incomplete. Open the link from the mail again, or ask for a new one.');
    return;
  }

  const password = newPasswordField({ label: 'New password', name: 'new_password', rules: api.passwordRules() });
  const confirm = passwordField({ label: 'Confirm new password', name: 'new_password_confirm', autocomplete: 'new-password' });
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Set new password');
  const form = h(
    'form',
    { class: 'form', testid: 'reset-password-form', novalidate: true, on: { submit: onSubmit } },
    error.el,
    password.wrap,
    confirm.wrap,
    submit,
  );
  add(body, form);
  password.input.focus();

  function showInvalid(message) {
    setChildren(
      body,
      h('div', { class: 'alert alert-error', role: 'alert', testid: 'reset-link-invalid' }, message),
      h('p', {}, link('/forgot-password', { class: 'btn btn-primary', testid: 'request-new-link' }, 'Send me a new link')),
    );
  }

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    password.setError(null);
    confirm.setError(null);
    const value = password.input.value;
    const check = fieldCheck(error);
    if (!value) check.bad(password, 'Choose a new password.');
    if (confirm.input.value !== value) check.bad(confirm, 'The passwords don’t match.');
    if (check.failed()) return;
    busy = true;
    setBusy(submit, true, 'Saving…');
    try {
      await api.confirmPasswordReset(token, value);
    } catch (err) {
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.code === 'token_invalid') {
        showInvalid(LINK_INVALID_MESSAGE);
      } else if (err instanceof ApiError && err.status === 400 && err.fields && Object.keys(err.fields).length) {
        password.setError(err.fields.new_password);
        error.show(serverErrorSummary(err, ['new_password']));
        password.input.focus();
      } else {
        error.show(errorMessage(err));
      }
      return;
    }
    // Every session ended on the server, this browser's too: forget its token.
    if (api.isLoggedIn()) await api.logout();
    ctx.setFlash('success', DONE_MESSAGE);
    ctx.navigate('/login', { replace: true });
  }
}
