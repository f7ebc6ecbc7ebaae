// Account page, "Passkeys": add one (the browser and the authenticator make
// it), rename it, remove it (after the confirmation dialog). Adding, renaming
// and removing need a recent authentication: the API client then opens the
// "Confirm it's you" dialog and retries. A passkey is also a second factor: once
// an account has one, signing in with the password asks for it. The section
// says so, asks before a first factor turns two-step sign-in on, and tells the
// two-step section (ctx.twoStep) of every change.
import { add, h, field, setChildren, setText, loading, errorState, formError, setBusy } from '../dom.js';
import { AuthError, ApiError } from '../api.js';
import { formatDate, relativeTime } from '../format.js';
import { confirmAction } from '../confirm.js';
import { openModal } from '../dialog.js';
import { t } from '../translate.js';
import { ceremonyErrorMessage, errorMessage } from '../error-text.js';

/** Mounted by the account page; returns its dispose function. */
export function mount(container, ctx) {
  const { api, store, webauthn } = ctx;
  const twoStep = ctx.twoStep || null;
  const serverHasPasskeys = !ctx.capabilities || ctx.capabilities.passkeys !== false;
  let alive = true;

  const error = formError();
  const listWrap = h('div', { class: 'passkey-list-wrap' }, loading(t('Loading passkeys…')));
  const name = field({
    label: t('Name (optional)'),
    name: 'passkey_name',
    required: false,
    hint: t('To tell your passkeys apart, e.g. “Work laptop”.'),
    inputProps: { maxlength: '64', autocomplete: 'off' },
  });
  const addButton = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'add-passkey' }, t('Add a passkey'));
  const form = h(
    'form',
    { class: 'form passkey-add', novalidate: true, 'aria-label': t('Add a passkey'), on: { submit: onAdd } },
    name.wrap,
    h('div', { class: 'form-actions' }, addButton),
  );

  add(container,
    h(
      'section',
      { class: 'card passkeys', 'aria-labelledby': 'card-passkeys', testid: 'passkeys' },
      h('h2', { class: 'card-title', id: 'card-passkeys' }, t('Passkeys')),
      h(
        'p',
        { class: 'muted small' },
        t('Sign in with your fingerprint, face, screen lock or a security key instead of your password. A passkey stays on your device; Gatehouse keeps only its public half.'),
      ),
      h(
        'p',
        { class: 'small', testid: 'passkey-second-step' },
        t('A passkey is also a second step: once you have one, signing in with your password asks for it too. Keep recovery codes, in case you lose the device.'),
      ),
      error.el,
      listWrap,
      !serverHasPasskeys
        ? h('p', { class: 'alert alert-info', role: 'status' }, t('Passkeys are not set up on this server.'))
        : webauthn && webauthn.supported
          ? form
          : h('p', { class: 'alert alert-info', role: 'status' }, t('This browser cannot create or use passkeys.')),
    ),
  );

  function row(passkey) {
    const title = h('span', {}, passkey.name);
    const rename = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'rename-passkey' }, t('Rename'));
    const remove = h('button', { type: 'button', class: 'btn btn-secondary btn-sm', testid: 'remove-passkey' }, t('Remove'));
    const lastUsed = h('li', {});
    const li = h(
      'li',
      { class: 'passkey', testid: 'passkey-row', dataset: { passkeyId: String(passkey.id) } },
      h('div', { class: 'passkey-icon', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'passkey-main' },
        h('p', { class: 'passkey-name' }, title, passkey.backed_up ? h('span', { class: 'badge badge-muted' }, t('Synced')) : null),
        h(
          'ul',
          { class: 'passkey-meta' },
          h('li', {}, h('span', { class: 'meta-label' }, t('Added ')), formatDate(passkey.created_at)),
          lastUsed,
        ),
      ),
      h('div', { class: 'passkey-actions' }, rename, remove),
    );
    function show(p) {
      setText(title, p.name);
      rename.setAttribute('aria-label', t('Rename passkey {name}', { name: p.name }));
      remove.setAttribute('aria-label', t('Remove passkey {name}', { name: p.name }));
      setChildren(
        lastUsed,
        h('span', { class: 'meta-label' }, t('Last used ')),
        p.last_used_at ? relativeTime(p.last_used_at, store.serverNow()) : t('never'),
      );
    }
    show(passkey);

    rename.addEventListener('click', async () => {
      error.clear();
      const renamed = await askForName(passkey);
      if (!renamed || !alive) return;
      passkey = renamed;
      show(passkey);
      ctx.toast(t('Passkey renamed to “{name}”.', { name: passkey.name }));
    });
    remove.addEventListener('click', async () => {
      error.clear();
      const sure = await confirmAction({
        title: t('Remove this passkey?'),
        message: t('“{name}” will no longer sign in to your account. The device may still list it; you can delete it there.', { name: passkey.name }),
        confirmLabel: t('Remove passkey'),
      });
      if (!sure || !alive) return;
      setBusy(remove, true, t('Removing…'));
      try {
        await api.removePasskey(passkey.id);
        if (!alive) return;
        li.remove();
        showEmptyIfNone();
        ctx.toast(t('Passkey “{name}” removed.', { name: passkey.name }));
        if (twoStep) twoStep.reload();
      } catch (err) {
        if (!alive || err instanceof AuthError) return;
        setBusy(remove, false);
        if (err instanceof ApiError && err.status === 404) {
          li.remove();
          showEmptyIfNone();
          error.show(t('That passkey had already been removed.'));
        } else {
          error.show(errorMessage(err));
        }
      }
    });
    return li;
  }

  /** The rename dialog; resolves with the renamed passkey, or null. */
  function askForName(passkey) {
    const input = field({ label: t('Name'), name: 'passkey_name', value: passkey.name, inputProps: { maxlength: '64', autocomplete: 'off' } });
    const dialogError = formError();
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, t('Cancel'));
    const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('Save'));
    const dialogForm = h(
      'form',
      { class: 'form', testid: 'rename-passkey-form', novalidate: true },
      dialogError.el,
      input.wrap,
      h('div', { class: 'dialog-actions' }, cancel, save),
    );
    const { finish, result } = openModal({ title: t('Rename passkey'), content: [dialogForm] });
    cancel.addEventListener('click', () => finish(null));
    dialogForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      dialogError.clear();
      input.setError(null);
      const value = input.input.value.trim();
      if (!value) {
        input.setError(t('Give the passkey a name.'));
        input.input.focus();
        return;
      }
      setBusy(save, true, t('Saving…'));
      try {
        finish(await api.renamePasskey(passkey.id, value));
      } catch (err) {
        setBusy(save, false);
        if (err instanceof AuthError) return finish(null);
        if (err instanceof ApiError && err.status === 400 && err.fields.name) input.setError(err.fields.name);
        else dialogError.show(errorMessage(err));
      }
    });
    input.input.select();
    return result;
  }

  function showEmptyIfNone() {
    if (listWrap.querySelector('[data-testid="passkey-row"]')) return;
    setChildren(listWrap, h('p', { class: 'passkey-empty', testid: 'no-passkeys' }, t('No passkeys yet.')));
  }

  function listElement() {
    let list = listWrap.querySelector('.passkey-list');
    if (!list) {
      list = h('ul', { class: 'passkey-list' });
      setChildren(listWrap, list);
    }
    return list;
  }

  async function load() {
    const passkeys = await api.passkeys();
    if (!alive) return;
    if (!passkeys.length) showEmptyIfNone();
    else setChildren(listWrap, h('ul', { class: 'passkey-list' }, passkeys.map(row)));
  }

  let busy = false;
  async function onAdd(event) {
    event.preventDefault();
    if (busy) return;
    error.clear();
    busy = true;
    // Before a first factor (or while that is not known yet): say that signing in will ask for it,
    // and to keep recovery codes.
    const turnsOn = !!twoStep && twoStep.isOn() !== true;
    if (turnsOn) {
      const sure = await confirmAction({
        title: t('Turn on two-step sign-in?'),
        message: t('Once this passkey is added, signing in with your password also asks for it, as a second step. Make recovery codes right after and keep them safe: they sign you in if you lose this device.'),
        confirmLabel: t('Add the passkey'),
        destructive: false,
      });
      if (!sure || !alive) {
        busy = false;
        return;
      }
    }
    setBusy(addButton, true, t('Waiting for your device…'));
    try {
      const options = await api.passkeyRegistrationOptions();
      const credential = await webauthn.create(options);
      const passkey = await api.registerPasskey(credential, name.input.value.trim());
      if (!alive) return;
      listElement().append(row(passkey));
      form.reset();
      ctx.toast(turnsOn
        ? t('Passkey “{name}” added. Two-step sign-in is on: make your recovery codes now.', { name: passkey.name })
        : t('Passkey “{name}” added. You can now sign in with it.', { name: passkey.name }));
      if (twoStep) twoStep.reload();
      if (ctx.onFactorsChanged) ctx.onFactorsChanged();
    } catch (err) {
      if (!alive || err instanceof AuthError) return;
      error.show(ceremonyErrorMessage(err) || errorMessage(err));
    } finally {
      busy = false;
      if (alive) setBusy(addButton, false);
    }
  }

  const loader = ctx.loadUntilAnswered({
    load,
    onFailure(err, info) {
      if (!alive || err instanceof AuthError) return;
      setChildren(listWrap, errorState(errorMessage(err), () => loader.retryNow(), info));
    },
  });
  return () => {
    alive = false;
    loader.stop();
  };
}
