// Sign-up page (only routed when the server allows sign-ups).
import { add, h, link, field, passwordField, newPasswordField, fieldCheck, serverErrorSummary, formError, setBusy, pageTitle, setChildren } from '../dom.js';
import { ApiError } from '../api.js';
import { unverifiedNotice } from '../unverified.js';
import { t, tNodes } from '../translate.js';
import { errorMessage } from '../error-text.js';
import { providerButtons } from '../provider-buttons.js';
import { providerOfRefusal } from '../sso-address.js';

export function mount(container, ctx) {
  const { api, location } = ctx;
  const username = field({
    label: t('Username'),
    name: 'username',
    autocomplete: 'username',
    hint: t('Letters, digits and @ . + - _ only.'),
    inputProps: { autocapitalize: 'none', spellcheck: 'false' },
  });
  const email = field({ label: t('Email'), name: 'email', type: 'email', autocomplete: 'email' });
  const password = newPasswordField({ label: t('Password'), name: 'password', rules: api.passwordRules() });
  const confirm = passwordField({ label: t('Confirm password'), name: 'password_confirm', autocomplete: 'new-password' });
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Create account'));
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
  const loginHref = next ? `/login?next=${encodeURIComponent(next)}` : '/login';
  const body = h('div', { class: 'stack' }, form);
  const switchLine = h('p', { class: 'auth-switch' }, t('Already have an account? '), link(loginHref, {}, t('Sign in')));
  // "Continue with …": an account made through a provider (when it allows sign-ups), no password needed.
  const providers = h('div', { class: 'provider-section', testid: 'provider-section' });
  let listed = [];
  if (ctx.federation) {
    ctx.federation.providers().then((list) => {
      listed = list || [];
      const buttons = providerButtons({
        providers: list,
        error,
        choose: (provider) => ctx.federation.start(provider.slug, { intent: 'login', next: next || '/' }),
      });
      if (buttons) providers.replaceChildren(h('p', { class: 'auth-divider' }, t('or')), buttons);
    });
  }
  add(container, pageTitle(t('Create your account'), t('It takes less than a minute.')), body, providers, switchLine);
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
    if (!values.username) check.bad(username, t('Choose a username.'));
    if (!values.email) check.bad(email, t('Enter your email address.'));
    else if (!/^[^\s@]+@[^\s@]+$/.test(values.email)) check.bad(email, t('Enter a valid email address.'));
    if (!values.password) check.bad(password, t('Choose a password.'));
    if (confirm.input.value !== values.password) check.bad(confirm, t('The passwords don’t match.'));
    if (check.failed()) return;
    busy = true;
    setBusy(submit, true, t('Creating account…'));
    let created = false;
    try {
      const account = await api.register(values);
      created = true;
      const user = await api.login(values.username, values.password);
      if (account && account.verification_sent) showCheckYourMail(user, account.email || values.email);
      else ctx.onLogin(user);
    } catch (err) {
      if (created && err instanceof ApiError && err.status === 403 && err.code === 'email_unverified') {
        // SIGNUP_EMAIL_VERIFICATION=mandatory: the account exists, and waits for its address to be confirmed.
        setChildren(
          body,
          h('div', { class: 'alert alert-success', role: 'status', testid: 'signup-done' }, t('Your account has been created.')),
          unverifiedNotice({ api, email: values.email, lead: t('One more step: confirm your email address.'), announce: ctx.announce }),
          h('p', {}, link(loginHref, { class: 'btn btn-primary btn-block' }, t('Sign in'))),
        );
        return;
      }
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
      } else if (err instanceof ApiError && err.status === 403 && err.code === 'sso_required') {
        // A company address: its account is made through the company's provider (its button is below).
        const owner = providerOfRefusal(err.body, listed);
        error.show(owner ? t('Your organisation signs you in with {provider}.', { provider: owner.name }) : errorMessage(err));
        email.input.focus();
      } else if (err instanceof ApiError && err.status === 404) {
        error.show(t('Sign-up is closed. Ask an administrator for an account.'));
      } else {
        error.show(errorMessage(err));
      }
    }
  }

  // Signed in already; the address waits for the link we just mailed: say so before going on.
  function showCheckYourMail(user, address) {
    ctx.setUser(user);
    switchLine.remove();
    const go = h('button', { type: 'button', class: 'btn btn-primary btn-block', testid: 'signup-continue', on: { click: () => ctx.onLogin(user) } }, t('Continue to your account'));
    setChildren(
      body,
      h('div', { class: 'alert alert-success', role: 'status', testid: 'signup-done' },
        h('p', {}, h('strong', {}, t('Your account has been created. Check your mail.'))),
        h('p', { testid: 'signup-check-mail' }, tNodes('We sent a link to {email} to confirm that the address is yours. Open it when you can (look in the spam folder too).', { email: h('strong', {}, address) }))),
      h('p', {}, go),
    );
    ctx.announce && ctx.announce(t('Your account has been created. Check your mail.'));
    go.focus();
  }
}
