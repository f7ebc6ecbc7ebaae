// Sign-up page (only routed when the server allows sign-ups).
import { add, h, link, field, passwordField, newPasswordField, fieldCheck, serverErrorSummary, formError, setBusy, pageTitle } from '../dom.js';
import { ApiError, errorMessage } from '../api.js';

export function mount(container, ctx) {
  const { api, location } = ctx;
  const username = field({
    label: 'Username',
    name: 'username',
    autocomplete: 'username',
    hint: 'Letters, digits and @ . + - _ only.',
    inputProps: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const email = field({ label: 'Email', name: 'email', type: 'email', autocomplete: 'email' });
  const password = newPasswordField({ label: 'Password', name: 'password', rules: api.passwordRules() });
  const confirm = passwordField({ label: 'Confirm password', name: 'password_confirm', autocomplete: 'new-password' });
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Create account');
  const fields = { username, email, password };

  const form = h(
    'form',
    { class: 'form', testid: 'signup-form', novalidate: true, on: { submit: onSubmit } },
    error.el,
    username.wrap,
    email.wrap,
    password.wrap,
    confirm.wrap,
    submit,
  );
  const next = new URLSearchParams(location.search).get('next');
  add(container, 
    pageTitle('Create your account', 'It takes less than a minute.'),
    form,
    h('p', { class: 'auth-switch' }, 'Already have an account? ', link(next ? `/login?next=${encodeURIComponent(next)}` : '/login', {}, 'Sign in')),
  );
  username.input.focus();

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    for (const f of [username, email, password, confirm]) f.setError(null);
    const values = {
      username: username.input.value.trim(),
      email: email.input.value.trim(),
      password: password.input.value,
    };
    const check = fieldCheck(error);
    if (!values.username) check.bad(username, 'Choose a username.');
    if (!values.email) check.bad(email, 'Enter your email address.');
    else if (!/^[^\s@]+@[^\s@]+$/.test(values.email)) check.bad(email, 'Enter a valid email address.');
    if (!values.password) check.bad(password, 'Choose a password.');
    if (confirm.input.value !== values.password) check.bad(confirm, 'The passwords don’t match.');
    if (check.failed()) return;
    busy = true;
    setBusy(submit, true, 'Creating account…');
    try {
      await api.register(values);
      const user = await api.login(values.username, values.password);
      ctx.onLogin(user);
    } catch (err) {
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.status === 400) {
        let focused = false;
        for (const [name, f] of Object.entries(fields)) {
          if (err.fields[name]) {
            f.setError(err.fields[name]);
            if (!focused) {
              f.input.focus();
              focused = true;
            }
          }
        }
        error.show(serverErrorSummary(err, Object.keys(fields)));
      } else if (err instanceof ApiError && err.status === 404) {
        error.show('Sign-up is closed. Ask an administrator for an account.');
      } else {
        error.show(errorMessage(err));
      }
    }
  }
}
