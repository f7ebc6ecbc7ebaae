// "Confirm your email address first": what the login and sign-up pages show
// when the server wants the address verified (403 email_unverified), with a
// button that mails the link again. The server answers a resend the same
// whatever the address, so the message after it is the same too.
import { h, setBusy, setChildren } from './dom.js';
import { t, tNodes } from './translate.js';
import { errorMessage } from './error-text.js';

export const RESENT_MESSAGE = () => t('A new link is on its way. Check your inbox (and the spam folder), open the link, then sign in.');

/**
 * @param {object} opts
 * @param {object} opts.api      the API client (resendVerification)
 * @param {string} opts.email    the address to confirm
 * @param {string} opts.lead     the first sentence
 * @param {(text: string) => void} [opts.announce]
 */
export function unverifiedNotice({ api, email, lead, announce }) {
  const status = h('p', { class: 'notice-status', role: 'status', testid: 'verification-resent', hidden: true });
  const resend = h(
    'button',
    { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'resend-verification', on: { click: onResend } },
    t('Send the link again'),
  );
  const el = h(
    'div',
    { class: 'alert alert-warning', role: 'alert', testid: 'email-unverified' },
    h('p', {}, h('strong', {}, lead)),
    email ? h('p', {}, tNodes('We sent a link to {email}. Open it to confirm the address, then sign in.', { email: h('strong', {}, email) })) : null,
    h('p', { class: 'notice-actions' }, resend),
    status,
  );

  async function onResend() {
    if (!email) return;
    setBusy(resend, true, t('Sending…'));
    try {
      await api.resendVerification(email);
      setChildren(status, RESENT_MESSAGE());
      if (announce) announce(RESENT_MESSAGE());
    } catch (err) {
      setChildren(status, errorMessage(err));
    } finally {
      status.hidden = false;
      setBusy(resend, false);
    }
  }

  return el;
}
