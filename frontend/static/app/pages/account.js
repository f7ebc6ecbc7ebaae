// Account: profile details and password change (server validation shown per field).
import { add, h, field, passwordField, newPasswordField, fieldCheck, serverErrorSummary, formError, setBusy, pageTitle, setText } from '../dom.js';
import { AuthError, ApiError, errorMessage } from '../api.js';
import { formatDate } from '../format.js';
import { mount as mountPasskeys } from './account-passkeys.js';

export function mount(container, ctx) {
  const { api, user } = ctx;
  let alive = true;

  const current = passwordField({ label: 'Current password', name: 'current_password', autocomplete: 'current-password' });
  const next = newPasswordField({ label: 'New password', name: 'new_password' });
  const confirm = passwordField({ label: 'Confirm new password', name: 'new_password_confirm', autocomplete: 'new-password' });
  const error = formError();
  const success = h('div', { class: 'alert alert-success', role: 'status', testid: 'form-success', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
  const form = h(
    'form',
    { class: 'form', testid: 'password-form', novalidate: true, 'aria-labelledby': 'card-password', on: { submit: onSubmit } },
    error.el,
    success,
    current.wrap,
    next.wrap,
    confirm.wrap,
    h('div', { class: 'form-actions' }, submit),
  );

  add(container, 
    pageTitle('Account', 'Your profile and sign-in security.'),
    h(
      'div',
      { class: 'grid grid-2' },
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'card-profile' },
        h('h2', { class: 'card-title', id: 'card-profile' }, 'Profile'),
        h(
          'dl',
          { class: 'details' },
          h('div', { class: 'details-row' }, h('dt', {}, 'Username'), h('dd', {}, user.username)),
          h('div', { class: 'details-row' }, h('dt', {}, 'Email'), h('dd', {}, user.email || '—')),
          h('div', { class: 'details-row' }, h('dt', {}, 'Role'), h('dd', {}, user.is_staff ? 'Staff' : 'Member')),
          h('div', { class: 'details-row' }, h('dt', {}, 'Member since'), h('dd', {}, formatDate(user.date_joined))),
        ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'card-password' },
        h('h2', { class: 'card-title', id: 'card-password' }, 'Change password'),
        h('p', { class: 'muted small' }, 'Changing your password signs out all your other sessions. This one stays signed in.'),
        form,
      ),
    ),
  );

  const disposePasskeys = mountPasskeys(container, ctx);

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    success.hidden = true;
    for (const f of [current, next, confirm]) f.setError(null);
    const check = fieldCheck(error);
    if (!current.input.value) check.bad(current, 'Enter your current password.');
    if (!next.input.value) check.bad(next, 'Choose a new password.');
    else if (next.input.value === current.input.value) check.bad(next, 'The new password must differ from the current one.');
    if (confirm.input.value !== next.input.value) check.bad(confirm, 'The passwords don’t match.');
    if (check.failed()) return;
    busy = true;
    setBusy(submit, true, 'Changing…');
    try {
      await api.changePassword(current.input.value, next.input.value);
      if (!alive) return;
      form.reset();
      setText(success, 'Password changed. Your other sessions have been signed out.');
      success.hidden = false;
      ctx.announce('Password changed.');
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      if (err instanceof ApiError && err.status === 400) {
        const fields = err.fields || {};
        current.setError(fields.current_password);
        next.setError(fields.new_password);
        error.show(serverErrorSummary(err, ['current_password', 'new_password']));
        (fields.current_password ? current : next).input.focus();
      } else {
        error.show(errorMessage(err));
      }
    } finally {
      busy = false;
      if (alive) setBusy(submit, false);
    }
  }

  return () => {
    alive = false;
    disposePasskeys();
  };
}
