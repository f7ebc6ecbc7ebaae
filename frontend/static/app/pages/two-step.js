// Account page, "Two-step sign-in": set up an authenticator app (QR code and the
// key to type by hand, then a first code), the recovery codes shown once (copy,
// download as a text file), new recovery codes, and removing the app.
// Every change needs a recent authentication: the API client opens the
// "Confirm it's you" dialog on 403 reauthentication_required and retries.
import { add, h, field, formError, setBusy, setChildren, loading, errorState } from '../dom.js';
import { AuthError, ApiError, errorMessage } from '../api.js';
import { formatDateTime } from '../format.js';
import { confirmAction } from '../confirm.js';

const FEW_CODES_LEFT = 3;

/** @returns {{el: HTMLElement, dispose: () => void}} */
export function twoStepSection(ctx) {
  const { api, user } = ctx;
  let alive = true;
  let blobUrl = null;

  const body = h('div', { class: 'two-step' });
  const el = h(
    'section',
    { class: 'card', 'aria-labelledby': 'card-two-step', testid: 'two-step' },
    h('h2', { class: 'card-title', id: 'card-two-step' }, 'Two-step sign-in'),
    body,
  );
  load();

  function show(...children) {
    forgetDownload();
    setChildren(body, ...children);
  }

  async function load() {
    show(loading('Loading…'));
    try {
      const status = await api.mfaStatus();
      if (!alive) return;
      if (status.totp.enabled) showOn(status);
      else showOff();
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      show(errorState(errorMessage(err), load));
    }
  }

  // ---- off -------------------------------------------------------------------

  function showOff(message = null) {
    const error = formError();
    const start = h('button', { type: 'button', class: 'btn btn-primary', testid: 'setup-totp' }, 'Set up an authenticator app');
    start.addEventListener('click', async () => {
      error.clear();
      setBusy(start, true, 'Starting…');
      try {
        const enrolment = await api.startTotp();
        if (alive) showSetup(enrolment);
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(start, false);
        error.show(cancelledOr(err));
      }
    });
    show(
      h('p', { class: 'muted' },
        'Off. Add a second step to signing in: after your password, a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…).'),
      message ? h('div', { class: 'alert alert-success', role: 'status' }, message) : null,
      error.el,
      h('div', { class: 'form-actions' }, start),
    );
  }

  // ---- set up ----------------------------------------------------------------

  function showSetup(enrolment) {
    const code = field({
      label: 'Code from the app',
      name: 'code',
      autocomplete: 'one-time-code',
      hint: 'Enter the 6 digits the app shows for Gatehouse.',
      inputProps: { inputmode: 'numeric', autocapitalize: 'none', spellcheck: 'false' },
    });
    const error = formError();
    const confirm = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Turn on');
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', on: { click: () => load() } }, 'Cancel');
    const form = h('form', { class: 'form', novalidate: true, testid: 'totp-confirm-form' }, error.el, code.wrap,
      h('div', { class: 'form-actions' }, confirm, cancel));
    const qr = enrolment.qr_svg
      ? h('img', { class: 'qr', src: enrolment.qr_svg, alt: 'QR code to scan with your authenticator app', width: '180', height: '180', testid: 'totp-qr' })
      : null;
    show(h(
      'div',
      { testid: 'totp-setup', class: 'totp-setup' },
      h('ol', { class: 'steps' },
        h('li', {}, h('p', {}, 'Scan this QR code with your authenticator app.'), qr),
        h('li', {},
          h('p', {}, 'Can’t scan it? Add an account by hand with this key (time-based):'),
          h('code', { class: 'secret', testid: 'totp-secret' }, groupsOf(enrolment.secret, 4)),
          h('p', { class: 'field-hint' }, `Account: ${user.username}. Spaces don’t matter.`)),
        h('li', {}, h('p', {}, 'Enter the code the app shows, to check it works.'), form)),
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
        code.setError('Enter the code from the app.');
        code.input.focus();
        return;
      }
      busy = true;
      setBusy(confirm, true, 'Checking…');
      try {
        const { recovery_codes: codes } = await api.confirmTotp(value);
        if (!alive) return;
        ctx.announce('Two-step sign-in is on.');
        showCodes(codes, { first: true });
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        busy = false;
        setBusy(confirm, false);
        if (err instanceof ApiError && err.code === 'code_invalid') {
          code.setError(err.detail || 'That code is not right.');
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
    const copy = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'copy-recovery-codes' }, 'Copy');
    copy.addEventListener('click', async () => {
      try {
        await globalThis.navigator.clipboard.writeText(text);
        ctx.toast('Recovery codes copied.');
      } catch {
        selectText(list);
        ctx.toast('Press Ctrl+C (or ⌘C) to copy the selected codes.');
      }
    });
    // Not show(): it would revoke the Blob URL of the link made here.
    setChildren(body, h(
      'div',
      { testid: 'recovery-codes', class: 'recovery-codes' },
      first ? h('div', { class: 'alert alert-success', role: 'status' }, 'Two-step sign-in is on.') : null,
      h('div', { class: 'alert alert-warning' },
        h('strong', {}, 'Save your recovery codes now. '),
        'They are shown only this once. Each one signs you in once if you lose your phone; keep them somewhere safe, away from it.'),
      list,
      h('div', { class: 'form-actions' },
        copy,
        downloadLink(text),
        h('button', { type: 'button', class: 'btn btn-primary', testid: 'recovery-codes-done', on: { click: () => load() } }, 'I’ve saved them')),
    ));
  }

  function downloadLink(text) {
    // A Blob URL and <a download>: a download, not a fetch, so the CSP's connect-src does not apply.
    blobUrl = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    return h('a', { class: 'btn btn-secondary', href: blobUrl, download: 'gatehouse-recovery-codes.txt', testid: 'download-recovery-codes' }, 'Download');
  }

  function forgetDownload() {
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = null;
  }

  function recoveryCodesText(codes) {
    return [
      `Gatehouse recovery codes for ${user.username}`,
      '',
      'Each code signs you in once when you cannot use your authenticator app.',
      'Generating new codes makes these stop working.',
      '',
      ...codes,
      '',
    ].join('\n');
  }

  // ---- on ----------------------------------------------------------------------

  function showOn(status) {
    const error = formError();
    const codes = status.recovery_codes;
    const regenerate = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'regenerate-recovery-codes' }, 'New recovery codes');
    const remove = h('button', { type: 'button', class: 'btn btn-danger', testid: 'remove-totp' }, 'Remove authenticator app');
    regenerate.addEventListener('click', async () => {
      error.clear();
      const sure = await confirmAction({
        title: 'Make new recovery codes?',
        message: 'Your current recovery codes stop working at once. You will see the new ones only once.',
        confirmLabel: 'Make new codes',
      });
      if (!sure || !alive) return;
      setBusy(regenerate, true, 'Making codes…');
      try {
        const { recovery_codes: fresh } = await api.regenerateRecoveryCodes();
        if (alive) showCodes(fresh);
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(regenerate, false);
        error.show(cancelledOr(err));
      }
    });
    remove.addEventListener('click', async () => {
      error.clear();
      const sure = await confirmAction({
        title: 'Remove the authenticator app?',
        message: 'Signing in will need only your password, and your recovery codes stop working.',
        confirmLabel: 'Remove',
      });
      if (!sure || !alive) return;
      setBusy(remove, true, 'Removing…');
      try {
        await api.removeTotp();
        if (!alive) return;
        ctx.toast('Authenticator app removed. Two-step sign-in is off.');
        showOff();
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(remove, false);
        error.show(cancelledOr(err));
      }
    });
    const few = codes.remaining <= FEW_CODES_LEFT;
    show(
      h('p', {}, h('span', { class: 'badge badge-success', testid: 'two-step-on' }, 'On'),
        ' Signing in asks for a code from your authenticator app after your password.'),
      h('dl', { class: 'details' },
        h('div', { class: 'details-row' }, h('dt', {}, 'Authenticator app'),
          h('dd', {}, `Added ${formatDateTime(status.totp.confirmed_at)}`)),
        h('div', { class: 'details-row' }, h('dt', {}, 'Last code used'),
          h('dd', {}, status.totp.last_used_at ? formatDateTime(status.totp.last_used_at) : '—')),
        h('div', { class: 'details-row' }, h('dt', {}, 'Recovery codes'),
          h('dd', { testid: 'recovery-codes-left' }, `${codes.remaining} of ${codes.total} left`))),
      few ? h('div', { class: 'alert alert-warning', role: 'status' },
        codes.remaining === 0 ? 'You have no recovery codes left. Make new ones now.' : 'You are running out of recovery codes. Make new ones.') : null,
      error.el,
      h('div', { class: 'form-actions' }, regenerate, remove),
    );
  }

  function cancelledOr(err) {
    if (err instanceof ApiError && err.code === 'reauthentication_required') {
      return 'Confirm it’s you to make this change.';
    }
    return errorMessage(err);
  }

  return {
    el,
    dispose() {
      alive = false;
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
