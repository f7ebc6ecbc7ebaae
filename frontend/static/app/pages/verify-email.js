// The page a verification or change-of-address link opens: /verify-email#token=…
// (the token in the fragment: see link-token.js).
// Public: it works whether or not this browser is signed in. The link is used
// as soon as the page opens (once per token, however often the page is drawn).
import { add, h, link, field, formError, setBusy, pageTitle, setChildren, loading } from '../dom.js';
import { ApiError } from '../api.js';
import { takeLinkToken, QUERY_LINK_MESSAGE } from '../link-token.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

export const DONE_MESSAGE = () => t('Your email address is confirmed.');
export const LINK_INVALID_MESSAGE = () => t('This link can’t be used: it has expired or was used already (or the address changed since it was sent).');
export const RESENT_MESSAGE = () => t('If this address is waiting to be confirmed, a new link is on its way. Check your inbox (and the spam folder).');

// token -> the promise of its answer: drawing the page again must not use a single-use link twice.
const outcomes = new Map();

function useToken(api, token) {
  if (!outcomes.has(token)) {
    outcomes.set(token, api.verifyEmail(token).then(() => ({ ok: true }), (error) => ({ ok: false, error })));
  }
  return outcomes.get(token);
}

export function mount(container, ctx) {
  const { api, location } = ctx;
  let alive = true;
  const { token, fromQuery } = takeLinkToken(location, globalThis.history);
  const body = h('div', { class: 'stack' });
  add(container, pageTitle(t('Confirm your email address')), body);

  if (!token) {
    showInvalid(fromQuery ? QUERY_LINK_MESSAGE() : t('This link is incomplete. Open the link from the mail again, or ask for a new one.'));
    return undefined;
  }
  setChildren(body, loading(t('Confirming your address…')));
  useToken(api, token).then(async (outcome) => {
    if (!alive) return;
    if (outcome.ok && api.isLoggedIn()) {
      // Signed in here: the address (or its status) this app shows has changed.
      try {
        ctx.setUser(await api.me());
      } catch {
        /* the next page asks again */
      }
      if (!alive) return;
    }
    if (outcome.ok) showDone();
    else if (outcome.error instanceof ApiError && outcome.error.code === 'token_invalid') showInvalid(LINK_INVALID_MESSAGE());
    else if (outcome.error instanceof ApiError && outcome.error.code === 'email_taken') {
      showProblem(outcome.error.detail, t('Your account keeps its current address. You can choose another one on your account page.'));
    } else {
      outcomes.delete(token); // not an answer about the link: it may be tried again
      showProblem(errorMessage(outcome.error));
    }
  });

  function showDone() {
    const signedIn = api.isLoggedIn();
    setChildren(
      body,
      h('div', { class: 'alert alert-success', role: 'status', testid: 'verify-email-done' }, DONE_MESSAGE()),
      h('p', { class: 'muted' }, signedIn
        ? t('Mail about your account goes to this address from now on.')
        : t('Mail about your account goes to this address from now on. You can sign in now.')),
      h('p', {}, signedIn
        ? link('/account', { class: 'btn btn-primary' }, t('Go to your account'))
        : link('/login', { class: 'btn btn-primary', testid: 'verify-email-sign-in' }, t('Sign in'))),
    );
    ctx.announce && ctx.announce(DONE_MESSAGE());
  }

  function showProblem(message, hint) {
    setChildren(
      body,
      h('div', { class: 'alert alert-error', role: 'alert', testid: 'verify-email-invalid' }, message),
      hint ? h('p', { class: 'muted' }, hint) : null,
      h('p', {}, link(api.isLoggedIn() ? '/account' : '/login', { class: 'btn btn-secondary' },
        api.isLoggedIn() ? t('Go to your account') : t('Sign in'))),
    );
  }

  function showInvalid(message) {
    const email = field({ label: t('Email'), name: 'email', type: 'email', autocomplete: 'email' });
    const error = formError();
    const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('Send me a new link'));
    const form = h(
      'form',
      { class: 'form', testid: 'resend-verification-form', novalidate: true, on: { submit: onResend } },
      error.el,
      email.wrap,
      submit,
    );
    const sent = h('div', {});
    setChildren(
      body,
      h('div', { class: 'alert alert-error', role: 'alert', testid: 'verify-email-invalid' }, message),
      h('p', { class: 'muted' }, t('To confirm your address, ask for a new link. To change your address, ask again from your account page.')),
      sent,
      form,
      h('p', { class: 'auth-switch' }, api.isLoggedIn()
        ? link('/account', {}, t('Go to your account'))
        : link('/login', {}, t('Back to sign in'))),
    );

    let busy = false;
    async function onResend(event) {
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
        await api.resendVerification(value);
        if (!alive) return;
        form.remove();
        setChildren(sent, h('div', { class: 'alert alert-success', role: 'status', testid: 'verification-resent' }, RESENT_MESSAGE()));
        ctx.announce && ctx.announce(RESENT_MESSAGE());
      } catch (err) {
        busy = false;
        setBusy(submit, false);
        if (err instanceof ApiError && err.status === 400 && err.fields && err.fields.email) {
          email.setError(err.fields.email);
          error.show(err.detail || t('Please correct the highlighted field.'));
        } else {
          error.show(errorMessage(err));
        }
      }
    }
  }

  return () => {
    alive = false;
  };
}
