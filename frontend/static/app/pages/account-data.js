// Account page, the account's own data: the Profile card (username, names; the language picker; details) and
// "Your data" (download everything kept about the account; delete the account, after a dialog that names
// what goes). Mounted by account.js; its own module so the page's other sections stay apart.
import { h, field, formError, setBusy, setText, serverErrorSummary } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDate } from '../format.js';
import { confirmAction } from '../confirm.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';
import { languageSelect } from '../language-select.js';

const WHAT_GOES = () => [
  t('Your profile: username, email address, names and language.'),
  t('Every session: all your devices are signed out, this one too.'),
  t('Your personal access tokens.'),
  t('Your authenticator app, recovery codes and passkeys.'),
  t('The devices remembered for your account, and mail waiting to be sent to you.'),
];

/**
 * The Profile card: details, the language picker and a form to change the username and names.
 * The language has one control, the picker (`language-select`): it saves the account's language at once
 * (PATCH /api/auth/me/ `language`) and draws the page again in it, so the form leaves the language alone.
 */
export function profileCard(ctx) {
  const { api } = ctx;
  let user = ctx.user;
  let busy = false;

  const username = field({ label: t('Username'), name: 'username', autocomplete: 'username', value: user.username,
    hint: t('You sign in with it. Changing it asks you to confirm it’s you, and we mail you about it.') });
  const firstName = field({ label: t('First name'), name: 'first_name', autocomplete: 'given-name', required: false, value: user.first_name || '' });
  const lastName = field({ label: t('Last name'), name: 'last_name', autocomplete: 'family-name', required: false, value: user.last_name || '' });
  const error = formError();
  const saved = h('div', { class: 'alert alert-success', role: 'status', testid: 'profile-saved', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('Save profile'));
  const form = h(
    'form',
    { class: 'form', testid: 'profile-form', novalidate: true, 'aria-labelledby': 'card-profile', on: { submit: onSave } },
    error.el,
    saved,
    username.wrap,
    h('div', { class: 'field-pair' }, firstName.wrap, lastName.wrap),
    h('div', { class: 'form-actions' }, submit),
  );
  const fields = { username, first_name: firstName, last_name: lastName };

  async function onSave(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    saved.hidden = true;
    for (const f of Object.values(fields)) f.setError(null);
    const values = {
      username: username.input.value.trim(),
      first_name: firstName.input.value.trim(),
      last_name: lastName.input.value.trim(),
    };
    if (!values.username) {
      username.setError(t('Enter a username.'));
      error.show(t('Check the highlighted field.'));
      username.input.focus();
      return;
    }
    // Only what changed: an unchanged username needs no confirmation.
    const changes = Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== (user[key] || '')));
    if (!Object.keys(changes).length) {
      setText(saved, t('Nothing to change.'));
      saved.hidden = false;
      return;
    }
    busy = true;
    setBusy(submit, true, t('Saving…'));
    try {
      user = await api.updateProfile(changes);
      ctx.setUser(user);
      username.input.value = user.username;
      setText(saved, changes.username ? t('Saved. You now sign in as {username}.', { username: user.username }) : t('Saved.'));
      saved.hidden = false;
      ctx.announce(t('Profile saved.'));
    } catch (err) {
      if (err instanceof AuthError) return;
      if (err instanceof ApiError && err.status === 400) {
        const errs = err.fields || {};
        for (const [key, f] of Object.entries(fields)) f.setError(errs[key]);
        error.show(serverErrorSummary(err, Object.keys(fields)));
        const first = Object.keys(fields).find((key) => errs[key]);
        if (first) fields[first].input.focus();
      } else {
        error.show(errorMessage(err));
      }
    } finally {
      busy = false;
      setBusy(submit, false);
    }
  }

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-profile', testid: 'profile-section' },
    h('h2', { class: 'card-title', id: 'card-profile' }, t('Profile')),
    h(
      'dl',
      { class: 'details' },
      h('div', { class: 'details-row' }, h('dt', {}, t('Email')), h('dd', {}, user.email || '—', ' ', emailStatus(user))),
      h('div', { class: 'details-row' }, h('dt', {}, t('Role')), h('dd', {}, user.is_staff ? t('Staff') : t('Member'))),
      h('div', { class: 'details-row' }, h('dt', {}, t('Member since')), h('dd', {}, formatDate(user.date_joined))),
    ),
    languageSelect(ctx, { id: 'account-language-select' }),
    form,
  );
}

function emailStatus(user) {
  if (!user.email) return null;
  return user.email_verified
    ? h('span', { class: 'badge badge-success', testid: 'email-status' }, t('Verified'))
    : h('span', { class: 'badge badge-muted', testid: 'email-status' }, t('Not verified'));
}

/** "Your data": download it all; delete the account. */
export function dataCard(ctx) {
  const { api } = ctx;
  const error = formError();
  const exportBtn = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'export-data', on: { click: onExport } },
    t('Download my data'));
  const deleteBtn = h('button', { type: 'button', class: 'btn btn-danger', testid: 'delete-account', on: { click: onDelete } },
    t('Delete my account'));

  async function onExport() {
    error.clear();
    setBusy(exportBtn, true, t('Preparing…'));
    try {
      const data = await api.exportData();
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const link = h('a', { href: URL.createObjectURL(blob), download: `gatehouse-account-${ctx.user.username}.json`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      ctx.toast(t('Your data was downloaded.'));
    } catch (err) {
      if (err instanceof AuthError) return;
      error.show(errorMessage(err));
    } finally {
      setBusy(exportBtn, false);
    }
  }

  async function onDelete() {
    error.clear();
    const sure = await confirmAction({
      title: t('Delete your account?'),
      message: t('This cannot be undone. These go at once:'),
      details: WHAT_GOES(),
      confirmLabel: t('Delete my account'),
    });
    if (!sure) return;
    setBusy(deleteBtn, true, t('Deleting…'));
    try {
      await api.deleteAccount(); // -> signed out: the app shows the login page
    } catch (err) {
      setBusy(deleteBtn, false);
      if (err instanceof AuthError) return;
      if (err instanceof ApiError && err.code === 'last_superuser') {
        error.show(t('You are the last superuser. Make another account a superuser before deleting this one.'));
      } else {
        error.show(errorMessage(err));
      }
    }
  }

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-data', testid: 'data-section' },
    h('h2', { class: 'card-title', id: 'card-data' }, t('Your data')),
    error.el,
    h('div', { class: 'stack' },
      h('p', { class: 'muted small' },
        t('Download everything we keep about your account as a JSON file: profile, sessions, activity, sign-in methods and tokens (never a secret).')),
      h('div', {}, exportBtn),
      h('p', { class: 'muted small' },
        t('Deleting your account removes it and everything personal at once. The security log keeps its entries without your name, address or IP.')),
      h('div', {}, deleteBtn),
    ),
  );
}
