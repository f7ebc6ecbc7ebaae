// Account page, "Two-step sign-in": one state for every factor (On with the
// authenticator app and/or passkeys, or Off; two-step-state.js), set up an
// authenticator app (QR code and the key to type by hand, then a first code),
// the recovery codes shown once (copy, download as a text file), recovery codes
// whenever a factor is on (a passkey too), and removing the app. Passkeys
// themselves are added and removed in their own section, which calls reload().
// Every change needs a recent authentication: the API client opens the
// "Confirm it's you" dialog on 403 reauthentication_required and retries.
import { add, h, field, formError, setBusy, setChildren, loading, errorState } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDateTime } from '../format.js';
import { confirmAction } from '../confirm.js';
import { twoStepState, secondStepWords } from '../two-step-state.js';
import { t } from '../translate.js';
import { errorMessage } from '../error-text.js';

const FEW_CODES_LEFT = 3;

/** @returns {{el: HTMLElement, dispose: () => void, reload: () => void, isOn: () => boolean|null}} */
export function twoStepSection(ctx) {
  const { api, user } = ctx;
  let alive = true;
  let blobUrl = null;
  let loader = null;
  let current = null; // the last state shown (twoStepState), null until the first answer

  const body = h('div', { class: 'two-step' });
  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-two-step', testid: 'two-step' },
    h('h2', { class: 'card-title', id: 'card-two-step' }, t('Two-step sign-in')),
    body,
  );
  load();

  function show(...children) {
    forgetDownload();
    setChildren(body, ...children);
  }

  /** Ask for the factors (retried until the server answers) and show them. */
  function load() {
    if (loader) loader.stop();
    show(loading(t('Loading…')));
    loader = ctx.loadUntilAnswered({
      load: async () => {
        const [status, passkeys] = await Promise.all([api.mfaStatus(), api.passkeys()]);
        if (!alive) return;
        showState(status, twoStepState(status, passkeys));
      },
      onFailure(err, info) {
        if (!alive || err instanceof AuthError) return;
        show(errorState(errorMessage(err), () => loader.retryNow(), info));
      },
    });
  }

  // ---- the state: on (with which factors) or off --------------------------------

  function showState(status, state) {
    current = state;
    const error = formError();
    const setup = state.totp ? null : setupButton(error);
    const codes = state.recoveryCodes;
    show(
      state.on
        ? h('p', {}, h('span', { class: 'badge badge-success', testid: 'two-step-on' }, t('On')),
          ' ', t('Signing in asks for {ways} after your password.', { ways: secondStepWords(state) }))
        : h('p', {}, h('span', { class: 'badge badge-muted', testid: 'two-step-off' }, t('Off')),
          ' ', t('Signing in needs only your password. Add a second step: an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…) or a passkey (below).')),
      h('dl', { class: 'details' },
        h('div', { class: 'details-row' }, h('dt', {}, t('Authenticator app')),
          h('dd', { testid: 'two-step-totp' }, state.totp ? t('Added {date}', { date: formatDateTime(status.totp.confirmed_at) }) : t('Not set up'))),
        state.totp
          ? h('div', { class: 'details-row' }, h('dt', {}, t('Last code used')),
            h('dd', {}, status.totp.last_used_at ? formatDateTime(status.totp.last_used_at) : '—'))
          : null,
        h('div', { class: 'details-row' }, h('dt', {}, t('Passkeys')),
          h('dd', { testid: 'two-step-passkeys' }, state.passkeys ? t('{count} (listed under Passkeys)', { count: state.passkeys }) : t('None'))),
        state.on
          ? h('div', { class: 'details-row' }, h('dt', {}, t('Recovery codes')),
            h('dd', { testid: 'recovery-codes-left' }, codes.total ? t('{remaining} of {total} left', { remaining: codes.remaining, total: codes.total }) : t('None yet')))
          : null),
      state.on ? recoveryWarning(codes) : null,
      error.el,
      h('div', { class: 'form-actions' },
        setup,
        state.on ? regenerateButton(error, codes) : null,
        state.totp ? removeButton(error, state) : null),
    );
  }

  function recoveryWarning(codes) {
    if (codes.remaining === 0) {
      return h('div', { class: 'alert alert-warning', role: 'status', testid: 'no-recovery-codes' },
        h('strong', {}, codes.total ? t('You have no recovery codes left.') : t('You have no recovery codes.')), ' ',
        t('If you lose your phone or passkey, a recovery code is how you sign in. Make them now and keep them safe.'));
    }
    if (codes.remaining <= FEW_CODES_LEFT) {
      return h('div', { class: 'alert alert-warning', role: 'status' }, t('You are running out of recovery codes. Make new ones.'));
    }
    return null;
  }

  function setupButton(error) {
    const start = h('button', { type: 'button', class: 'btn btn-primary', testid: 'setup-totp' }, t('Set up an authenticator app'));
    start.addEventListener('click', async () => {
      error.clear();
      setBusy(start, true, t('Starting…'));
      try {
        const enrolment = await api.startTotp();
        if (alive) showSetup(enrolment);
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(start, false);
        error.show(cancelledOr(err));
      }
    });
    return start;
  }

  // ---- set up ----------------------------------------------------------------

  function showSetup(enrolment) {
    const code = field({
      label: t('Code from the app'),
      name: 'code',
      autocomplete: 'one-time-code',
      hint: t('Enter the 6 digits the app shows for Gatehouse.'),
      inputProps: { inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false' },
    });
    const error = formError();
    const confirm = h('button', { type: 'submit', class: 'btn btn-primary' }, t('Turn on'));
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', on: { click: () => load() } }, t('Cancel'));
    const form = h('form', { class: 'form', novalidate: true, testid: 'totp-confirm-form' }, error.el, code.wrap,
      h('div', { class: 'form-actions' }, confirm, cancel));
    const qr = enrolment.qr_svg
      ? h('img', { class: 'qr', src: enrolment.qr_svg, alt: t('QR code to scan with your authenticator app'), width: '180', height: '180', testid: 'totp-qr' })
      : null;
    show(h(
      'div',
      { testid: 'totp-setup', class: 'totp-setup' },
      h('ol', { class: 'steps' },
        h('li', {}, h('p', {}, t('Scan this QR code with your authenticator app.')), qr),
        h('li', {},
          h('p', {}, t('Can’t scan it? Add an account by hand with this key (time-based):')),
          h('code', { class: 'secret', testid: 'totp-secret' }, groupsOf(enrolment.secret, 4)),
          h('p', { class: 'field-hint' }, t('Account: {username}. Spaces don’t matter.', { username: user.username }))),
        h('li', {}, h('p', {}, t('Enter the code the app shows, to check it works.')), form)),
    ));
    code.input.focus();

    let busy = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      error.clear();
      code.setError(null);
      const value = code.input.value.trim();
      if (!value) {
        code.setError(t('Enter the code from the app.'));
        code.input.focus();
        return;
      }
      busy = true;
      setBusy(confirm, true, t('Checking…'));
      try {
        const { recovery_codes: codes } = await api.confirmTotp(value);
        if (!alive) return;
        ctx.announce(t('Two-step sign-in is on.'));
        showCodes(codes, { first: true });
        if (ctx.onFactorsChanged) ctx.onFactorsChanged();
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        busy = false;
        setBusy(confirm, false);
        if (err instanceof ApiError && err.code === 'code_invalid') {
          code.setError(err.detail || t('That code is not right.'));
          code.input.value = '';
          code.input.focus();
        } else {
          error.show(errorMessage(err));
        }
      }
    });
  }

  // ---- recovery codes, shown once --------------------------------------------

  function showCodes(codes, { first = false } = {}) {
    forgetDownload();
    const text = recoveryCodesText(codes);
    const list = h('ol', { class: 'codes', testid: 'recovery-code-list' }, codes.map((c) => h('li', {}, h('code', {}, c))));
    const copy = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'copy-recovery-codes' }, t('Copy'));
    copy.addEventListener('click', async () => {
      try {
        await globalThis.navigator.clipboard.writeText(text);
        ctx.toast(t('Recovery codes copied.'));
      } catch {
        selectText(list);
        ctx.toast(t('Press Ctrl+C (or ⌘C) to copy the selected codes.'));
      }
    });
    // Not show(): it would revoke the Blob URL of the link made here.
    setChildren(body, h(
      'div',
      { testid: 'recovery-codes', class: 'recovery-codes' },
      first ? h('div', { class: 'alert alert-success', role: 'status' }, t('Two-step sign-in is on.')) : null,
      h('div', { class: 'alert alert-warning' },
        h('strong', {}, t('Save your recovery codes now.')), ' ',
        t('They are shown only this once. Each one signs you in once if you lose your phone or your passkey; keep them somewhere safe, away from both.')),
      list,
      h('div', { class: 'form-actions' },
        copy,
        downloadLink(text),
        h('button', { type: 'button', class: 'btn btn-primary', testid: 'recovery-codes-done', on: { click: () => load() } }, t('I’ve saved them'))),
    ));
  }

  function downloadLink(text) {
    // A Blob URL and <a download>: a download, not a fetch, so the CSP's connect-src does not apply.
    blobUrl = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    return h('a', { class: 'btn btn-secondary', href: blobUrl, download: 'gatehouse-recovery-codes.txt', testid: 'download-recovery-codes' }, t('Download'));
  }

  function forgetDownload() {
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = null;
  }

  function recoveryCodesText(codes) {
    return [
      t('Gatehouse recovery codes for {username}', { username: user.username }),
      '',
      t('Each code signs you in once when you cannot use your authenticator app or passkey.'),
      t('Generating new codes makes these stop working.'),
      '',
      ...codes,
      '',
    ].join('\n');
  }

  // ---- recovery codes and removing the app ------------------------------------

  function regenerateButton(error, codes) {
    const regenerate = h('button', { type: 'button', class: ['btn', codes.remaining ? 'btn-secondary' : 'btn-primary'], testid: 'regenerate-recovery-codes' },
      codes.total ? t('New recovery codes') : t('Make recovery codes'));
    regenerate.addEventListener('click', async () => {
      error.clear();
      if (codes.total) {
        const sure = await confirmAction({
          title: t('Make new recovery codes?'),
          message: t('Your current recovery codes stop working at once. You will see the new ones only once.'),
          confirmLabel: t('Make new codes'),
        });
        if (!sure || !alive) return;
      }
      setBusy(regenerate, true, t('Making codes…'));
      try {
        const { recovery_codes: fresh } = await api.regenerateRecoveryCodes();
        if (alive) showCodes(fresh);
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(regenerate, false);
        error.show(cancelledOr(err));
      }
    });
    return regenerate;
  }

  function removeButton(error, state) {
    const remove = h('button', { type: 'button', class: 'btn btn-danger', testid: 'remove-totp' }, t('Remove authenticator app'));
    remove.addEventListener('click', async () => {
      error.clear();
      const sure = await confirmAction({
        title: t('Remove the authenticator app?'),
        message: state.passkeys
          ? t('Signing in will still ask for your passkey after your password.')
          : t('Signing in will need only your password, and your recovery codes stop working.'),
        confirmLabel: t('Remove'),
      });
      if (!sure || !alive) return;
      setBusy(remove, true, t('Removing…'));
      try {
        await api.removeTotp();
        if (!alive) return;
        ctx.toast(state.passkeys ? t('Authenticator app removed.') : t('Authenticator app removed. Two-step sign-in is off.'));
        load();
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(remove, false);
        error.show(cancelledOr(err));
      }
    });
    return remove;
  }

  function cancelledOr(err) {
    if (err instanceof ApiError && err.code === 'reauthentication_required') {
      return t('Confirm it’s you to make this change.');
    }
    return errorMessage(err);
  }

  return {
    el,
    reload: load,
    /** Whether two-step sign-in is on, as last shown (null before the first answer). */
    isOn: () => (current ? current.on : null),
    dispose() {
      alive = false;
      if (loader) loader.stop();
      forgetDownload();
    },
  };
}

function groupsOf(text, size) {
  return (String(text).match(new RegExp(`.{1,${size}}`, 'g')) || []).join(' ');
}

function selectText(node) {
  const selection = node.ownerDocument.getSelection();
  const range = node.ownerDocument.createRange();
  range.selectNodeContents(node);
  selection.removeAllRanges();
  selection.addRange(range);
}
