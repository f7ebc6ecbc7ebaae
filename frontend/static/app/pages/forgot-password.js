// "Forgot password?": ask for a reset link by email. The server answers the
// same whether or not an account has the address, and so does this page.
import { add, h, link, field, formError, setBusy, pageTitle, setChildren } from '../dom.js';
import { ApiError } from '../api.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

export const SENT_MESSAGE = () => t('If an account has this address, we’ve sent it a link to choose a new password. Check your inbox (and the spam folder); the link works once and for a limited time.');

export function mount(container, ctx) {
  const { api } = ctx;
  const email = field({ label: t('Email'), name: 'email', type: 'email', autocomplete: 'email' });
  const error = formError();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Send reset link'));
  const form = h(
    'form',
    { class: 'form', testid: 'forgot-password-form', novalidate: true, on: { submit: onSubmit } },
    error.el,
    email.wrap,
    submit,
  );
  const body = h('div', {}, form);
  const notice = ctx.flash ? h('div', { class: `alert alert-${ctx.flash.kind}`, role: 'status' }, ctx.flash.text) : null;
  add(container,
    pageTitle(t('Forgot your password?'), t('Enter the email address of your account and we’ll mail you a link to choose a new one.')),
    notice,
    body,
    h('p', { class: 'auth-switch' }, t('Remembered it? '), link('/login', {}, t('Sign in'))),
  );
  email.input.focus();

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    email.setError(null);
    const value = email.input.value.trim();
    if (!value || !/^[^\s@]+@[^\s@]+$/.test(value)) {
      email.setError(value ? t('Enter a valid email address.') : t('Enter your email address.'));
      error.show(t('Please correct the highlighted field.'));
      email.input.focus();
      return;
    }
    busy = true;
    setBusy(submit, true, t('Sending…'));
    try {
      await api.requestPasswordReset(value);
      setChildren(body, h('div', { class: 'alert alert-success', role: 'status', testid: 'forgot-password-sent' }, SENT_MESSAGE()));
      ctx.announce && ctx.announce(SENT_MESSAGE());
    } catch (err) {
      busy = false;
      setBusy(submit, false);
      if (err instanceof ApiError && err.status === 400 && err.fields && err.fields.email) {
        email.setError(err.fields.email);
        error.show(err.detail || t('Please correct the highlighted field.'));
        email.input.focus();
      } else {
        error.show(errorMessage(err));
      }
    }
  }
}
