// The page a reset link opens: /reset-password#token=… (the token in the
// fragment: see link-token.js). It names the account the link is for (the
// server answers that only for a valid token), then the user chooses a new
// password; every session of the account ends and the user signs in.
import { add, h, link, passwordField, newPasswordField, fieldCheck, serverErrorSummary, formError, setBusy, pageTitle, setChildren } from '../dom.js';
import { ApiError } from '../api.js';
import { takeLinkToken, forgetLinkToken, QUERY_LINK_MESSAGE } from '../link-token.js';
import { t, tNodes } from '../translate.js';
import { errorMessage } from '../error-text.js';

export const LINK_INVALID_MESSAGE = () => t('This link can’t be used: it has expired or was used already (or the password changed since it was sent). Ask for a new one.');
export const DONE_MESSAGE = () => t('Your password has been changed and every device was signed out. Sign in with your new password.');

export function mount(container, ctx) {
  const { api, location } = ctx;
  let alive = true;
  const { token, fromQuery } = takeLinkToken(location, globalThis.history);
  const body = h('div', { class: 'stack' });
  add(container, pageTitle(t('Choose a new password'), t('Pick a password you don’t use anywhere else.')), body);

  if (!token) {
    showInvalid(fromQuery ? QUERY_LINK_MESSAGE() : t('This link is incomplete. Open the link from the mail again, or ask for a new one.'));
    return undefined;
  }

  // Which account: filled in when the server has answered for this token.
  const account = h('strong', { testid: 'reset-account' });
  const accountLine = h('p', { class: 'muted reset-account', testid: 'reset-account-line', hidden: true }, tNodes('For the account {username}.', { username: account }));
  // For password managers: the new password belongs to this username.
  const usernameHint = h('input', { type: 'text', name: 'username', autocomplete: 'username', hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' });
  api.passwordResetAccount(token).then(
    (answer) => {
      if (!alive || !answer || !answer.username) return;
      account.textContent = answer.username;
      usernameHint.value = answer.username;
      accountLine.hidden = false;
    },
    (err) => {
      if (!alive) return;
      if (err instanceof ApiError && err.code === 'token_invalid') {
        forgetLinkToken(location.pathname);
        showInvalid(LINK_INVALID_MESSAGE());
      }
      // Anything else (the network, a limit): the form stays; its submit answers for itself.
    },
  );

  const password = newPasswordField({ label: t('New password'), name: 'new_password', rules: api.passwordRules() });
  const confirm = passwordField({ label: t('Confirm new password'), name: 'new_password_confirm', autocomplete: 'new-password' });
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Set new password'));
  const form = h(
    'form',
    { class: 'form', testid: 'reset-password-form', novalidate: true, on: { submit: onSubmit } },
    error.el,
    usernameHint,
    password.wrap,
    confirm.wrap,
    submit,
  );
  add(body, accountLine, form);
  password.input.focus();

  function showInvalid(message) {
    setChildren(
      body,
      h('div', { class: 'alert alert-error', role: 'alert', testid: 'reset-link-invalid' }, message),
      h('p', {}, link('/forgot-password', { class: 'btn btn-primary', testid: 'request-new-link' }, t('Send me a new link'))),
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
    if (!value) check.bad(password, t('Choose a new password.'));
    if (confirm.input.value !== value) check.bad(confirm, t('The passwords don’t match.'));
    if (check.failed()) return;
    busy = true;
    setBusy(submit, true, t('Saving…'));
    try {
      await api.confirmPasswordReset(token, value);
    } catch (err) {
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.code === 'token_invalid') {
        forgetLinkToken(location.pathname);
        showInvalid(LINK_INVALID_MESSAGE());
      } else if (err instanceof ApiError && err.status === 400 && err.fields && Object.keys(err.fields).length) {
        password.setError(err.fields.new_password);
        error.show(serverErrorSummary(err, ['new_password']));
        password.input.focus();
      } else {
        error.show(errorMessage(err));
      }
      return;
    }
    forgetLinkToken(location.pathname);
    // Every session ended on the server, this browser's too: forget its token.
    if (api.isLoggedIn()) await api.logout();
    ctx.setFlash('success', DONE_MESSAGE());
    ctx.navigate('/login', { replace: true });
  }

  return () => {
    alive = false;
  };
}
