// Account page, for an account without a usable password (made through a sign-in provider, or whose password a
// first sign-in with a mailed code removed; GET /api/auth/me/ `has_password: false`): there is no current
// password to type, so instead of "Change password" the card offers the reset mail, which sets a first one
// (POST /api/auth/password-reset/, as "Forgot password?" does; docs/federation.md).
import { h, formError, setBusy, setText } from '../dom.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

/** The "Set a password" card: mail a link to the account's address, where a first password is chosen. */
export function setPasswordCard(ctx) {
  const { api, user } = ctx;
  const error = formError();
  const sent = h('div', { class: 'alert alert-success', role: 'status', testid: 'set-password-sent', hidden: true });
  const send = user.email
    ? h('button', { type: 'button', class: 'btn btn-primary btn-wraps', testid: 'set-password-send', on: { click: onSend } },
      t('Email me a link to set a password'))
    : null;

  let sending = false;
  async function onSend() {
    if (sending) return;
    sending = true;
    error.clear();
    sent.hidden = true;
    setBusy(send, true, t('Sending…'));
    try {
      await api.requestPasswordReset(user.email);
      setText(sent, t('Check the inbox of {email}: the link there lets you choose a password. Every session, this one too, is signed out when you set it.', { email: user.email }));
      sent.hidden = false;
      ctx.announce(t('Link sent.'));
    } catch (err) {
      error.show(errorMessage(err));
    } finally {
      sending = false;
      setBusy(send, false);
    }
  }

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-password', testid: 'set-password-section' },
    h('h2', { class: 'card-title', id: 'card-password' }, t('Set a password')),
    h('p', { class: 'muted small' },
      t('Your account has no password: you sign in through a sign-in provider, a mailed code or a passkey. To sign in with a password too, choose one through a link we mail you.')),
    h('div', { class: 'stack' },
      error.el,
      sent,
      send
        ? h('div', { class: 'form-actions' }, send)
        : h('p', { class: 'alert alert-warning', testid: 'set-password-no-email' },
          t('Your account has no email address, so no link can be mailed to set a password.'))),
  );
}
