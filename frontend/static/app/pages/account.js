// Account: profile (details, username, names, the language picker), change of address, password change (server
// validation shown per field; a first password by mail for an account without one), two-step sign-in,
// passkeys, sign-in providers, personal access tokens, and the account's data.
import { add, h, field, passwordField, newPasswordField, fieldCheck, serverErrorSummary, formError, setBusy, pageTitle, setText } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { twoStepSection } from './two-step.js';
import { mountTokens } from './account-tokens.js';
import { mountApps } from './account-apps.js';
import { mount as mountPasskeys } from './account-passkeys.js';
import { mount as mountIdentities } from './account-identities.js';
import { enrolmentNotice } from '../enrolment.js';
import { profileCard, dataCard } from './account-data.js';
import { setPasswordCard } from './account-set-password.js';
import { t, tNodes } from '../translate.js';
import { errorMessage } from '../error-text.js';

export function mount(container, outerCtx) {
  // MFA_REQUIRED: a notice while a factor must be enrolled, told when one is (onFactorsChanged).
  const enrolment = enrolmentNotice(outerCtx);
  const ctx = { ...outerCtx, onFactorsChanged: enrolment.check };
  const { api, user } = ctx;
  const held = !!user.mfa_enrollment_required;
  let alive = true;

  const current = passwordField({ label: t('Current password'), name: 'current_password', autocomplete: 'current-password' });
  const next = newPasswordField({ label: t('New password'), name: 'new_password', rules: api.passwordRules() });
  const confirm = passwordField({ label: t('Confirm new password'), name: 'new_password_confirm', autocomplete: 'new-password' });
  const error = formError();
  const success = h('div', { class: 'alert alert-success', role: 'status', testid: 'form-success', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('Change password'));
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

  const twoStep = twoStepSection(ctx);
  add(container, 
    pageTitle(t('Account'), t('Your profile and sign-in security.')),
    enrolment.el,
    h(
      'div',
      { class: 'grid grid-2' },
      profileCard(ctx),
      // While a factor must be enrolled the server refuses these (403): the page offers enrolment only.
      held ? null : emailCard(),
      // No usable password (an account made through a sign-in provider): nothing to change, one to set by mail.
      held ? null : user.has_password === false ? setPasswordCard(ctx) : h(
        'section',
        { class: 'card', 'aria-labelledby': 'card-password', testid: 'password-section' },
        h('h2', { class: 'card-title', id: 'card-password' }, t('Change password')),
        h('p', { class: 'muted small' }, t('Changing your password signs out all your other sessions. This one stays signed in.')),
        form,
      ),
    ),
    h('div', { class: 'grid grid-section' }, twoStep.el),
  );

  // Personal tokens wait for the second factor too (403 mfa_enrollment_required): not offered meanwhile.
  const unmountTokens = held ? () => {} : mountTokens(container, ctx);
  const unmountApps = held ? () => {} : mountApps(container, ctx);

  // ---- change of address: a link to the new address; it changes when the link is used ----
  function emailCard() {
    const newEmail = field({ label: t('New email address'), name: 'new_email', type: 'email', autocomplete: 'email' });
    const password = passwordField({ label: t('Your password'), name: 'password', autocomplete: 'current-password' });
    const emailError = formError();
    const sent = h('div', { class: 'alert alert-success', role: 'status', testid: 'email-change-sent', hidden: true });
    const send = h('button', { type: 'submit', class: 'btn btn-primary' }, t('Send confirmation link'));
    const emailForm = h(
      'form',
      { class: 'form', testid: 'email-form', novalidate: true, 'aria-labelledby': 'card-email', on: { submit: onChangeEmail } },
      emailError.el,
      sent,
      newEmail.wrap,
      password.wrap,
      h('div', { class: 'form-actions' }, send),
    );
    const resendStatus = h('p', { role: 'status', testid: 'verification-resent', hidden: true });
    const resend = user.email && !user.email_verified
      ? h('button', { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'resend-verification', on: { click: onResend } },
        t('Send the verification link again'))
      : null;

    let sending = false;
    async function onChangeEmail(event) {
      event.preventDefault();
      if (sending) return;
      emailError.clear();
      sent.hidden = true;
      newEmail.setError(null);
      password.setError(null);
      const value = newEmail.input.value.trim();
      const check = fieldCheck(emailError);
      if (!value) check.bad(newEmail, t('Enter the new address.'));
      else if (!/^[^\s@]+@[^\s@]+$/.test(value)) check.bad(newEmail, t('Enter a valid email address.'));
      else if (user.email && value.toLowerCase() === user.email.toLowerCase()) check.bad(newEmail, t('That is already your address.'));
      if (!password.input.value) check.bad(password, t('Enter your password.'));
      if (check.failed()) return;
      sending = true;
      setBusy(send, true, t('Sending…'));
      try {
        await api.changeEmail(value, password.input.value);
        if (!alive) return;
        emailForm.reset();
        setText(sent, t('Check the inbox of {email}: your address changes when you open the link we sent there. We’ve told your current address too.', { email: value }));
        sent.hidden = false;
        ctx.announce(t('Confirmation link sent.'));
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        if (err instanceof ApiError && err.status === 400) {
          const fields = err.fields || {};
          newEmail.setError(fields.new_email);
          password.setError(fields.password);
          emailError.show(serverErrorSummary(err, ['new_email', 'password']));
          (fields.new_email ? newEmail : password).input.focus();
        } else {
          emailError.show(errorMessage(err));
        }
      } finally {
        sending = false;
        if (alive) setBusy(send, false);
      }
    }

    async function onResend() {
      setBusy(resend, true, t('Sending…'));
      try {
        await api.resendVerification(user.email);
        setText(resendStatus, t('A new link is on its way to {email}.', { email: user.email }));
      } catch (err) {
        setText(resendStatus, errorMessage(err));
      } finally {
        if (alive) {
          resendStatus.hidden = false;
          setBusy(resend, false);
        }
      }
    }

    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'card-email' },
      h('h2', { class: 'card-title', id: 'card-email' }, t('Email address')),
      h(
        'div',
        { class: 'stack' },
        h('p', { class: 'muted small' }, t('To change it, we send a link to the new address: your address changes when you open it.')),
        resend
          ? h('div', { class: 'alert alert-warning' },
            h('p', {}, tNodes(t('Your address {email} is not verified yet.'), { email: h('strong', {}, user.email) })),
            h('p', {}, resend),
            resendStatus)
          : null,
        // The change is confirmed with the password (POST /api/auth/email/change/): an account without one sets
        // it first (the card beside this one), rather than meet a password field it cannot fill.
        user.has_password === false
          ? h('p', { class: 'alert alert-info', testid: 'email-change-needs-password' },
            t('Changing your address asks for your password, and your account has none yet: set one first.'))
          : emailForm,
      ),
    );
  }

  // The passkeys section tells the two-step section of each change: a passkey is a second factor too.
  const disposePasskeys = mountPasskeys(container, { ...ctx, twoStep });
  // Sign-in providers linked to the account (shown when the server has any).
  const disposeIdentities = held ? () => {} : mountIdentities(container, ctx);
  // Export is refused (403) until a factor is enrolled; the page offers enrolment only meanwhile.
  if (!held) add(container, h('div', { class: 'grid grid-section' }, dataCard(ctx)));

  let busy = false;
  async function onSubmit(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    success.hidden = true;
    for (const f of [current, next, confirm]) f.setError(null);
    const check = fieldCheck(error);
    if (!current.input.value) check.bad(current, t('Enter your current password.'));
    if (!next.input.value) check.bad(next, t('Choose a new password.'));
    else if (next.input.value === current.input.value) check.bad(next, t('The new password must differ from the current one.'));
    if (confirm.input.value !== next.input.value) check.bad(confirm, t('The passwords don’t match.'));
    if (check.failed()) return;
    busy = true;
    setBusy(submit, true, t('Changing…'));
    try {
      await api.changePassword(current.input.value, next.input.value);
      if (!alive) return;
      form.reset();
      setText(success, t('Password changed. Your other sessions have been signed out.'));
      success.hidden = false;
      ctx.announce(t('Password changed.'));
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
    twoStep.dispose();
    unmountTokens();
    unmountApps();
    disposePasskeys();
    disposeIdentities();
  };
}
