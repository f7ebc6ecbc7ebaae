// "Confirm it's you": the dialog a route's 403 reauthentication_required opens.
// It re-authenticates this session with the password and resolves true, or
// resolves false when the user cancels; the API client then retries or gives up.
import { h, passwordField, formError, setBusy } from './dom.js';
import { ApiError, errorMessage } from './api.js';

/**
 * @param {object} deps
 * @param {(password: string) => Promise<void>} deps.reauthenticate  api.reauthenticate
 * @param {Document} [deps.doc]
 * @returns {Promise<boolean>}
 */
export function askToReauthenticate({ reauthenticate, doc = document }) {
  return new Promise((resolve) => {
    const password = passwordField({ label: 'Password', name: 'password', autocomplete: 'current-password' });
    const error = formError();
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, 'Cancel');
    const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Confirm');
    const heading = h('h2', { class: 'dialog-title', id: 'reauth-title' }, 'Confirm it’s you');
    const form = h(
      'form',
      { class: 'form', testid: 'reauth-form', novalidate: true },
      h('p', { class: 'dialog-message' }, 'For your security, enter your password again to continue.'),
      error.el,
      password.wrap,
      h('div', { class: 'dialog-actions' }, cancel, submit),
    );
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'reauth-title' }, heading, form);

    let done = false;
    function finish(value) {
      if (done) return;
      done = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    }
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', () => finish(false)); // Escape
    dialog.addEventListener('close', () => finish(false));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.clear();
      password.setError(null);
      if (!password.input.value) {
        password.setError('Enter your password.');
        password.input.focus();
        return;
      }
      setBusy(submit, true, 'Checking…');
      try {
        await reauthenticate(password.input.value);
        finish(true);
      } catch (err) {
        setBusy(submit, false);
        if (err instanceof ApiError && err.status === 400 && err.fields.password) {
          password.setError(err.fields.password);
          password.input.value = '';
          password.input.focus();
        } else {
          error.show(errorMessage(err));
        }
      }
    });

    doc.body.append(dialog);
    dialog.showModal();
    password.input.focus();
  });
}
