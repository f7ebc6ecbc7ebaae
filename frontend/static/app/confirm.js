// Ask before a destructive action: an in-page modal <dialog> (focus stays
// inside, Escape cancels), resolved with true for "confirm", false otherwise.
import { h } from './dom.js';

/**
 * @param {object} opts
 * @param {Document} [opts.doc]
 * @param {string} opts.title    the question, e.g. "Revoke this session?"
 * @param {string} opts.message  what will happen
 * @param {string} opts.confirmLabel  the destructive button's label
 * @returns {Promise<boolean>}
 */
export function confirmAction({ doc = document, title, message, confirmLabel }) {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'btn btn-danger', testid: 'confirm-action' }, confirmLabel);
    const heading = h('h2', { class: 'dialog-title' }, title);
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-modal': 'true' },
      heading,
      h('p', { class: 'dialog-message' }, message),
      h('div', { class: 'dialog-actions' }, cancel, confirm),
    );
    heading.id = `dialog-title-${Date.now()}`;
    dialog.setAttribute('aria-labelledby', heading.id);

    let answered = false;
    function answer(value) {
      if (answered) return;
      answered = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    }
    cancel.addEventListener('click', () => answer(false));
    confirm.addEventListener('click', () => answer(true));
    dialog.addEventListener('cancel', () => answer(false)); // Escape
    dialog.addEventListener('close', () => answer(false));

    doc.body.append(dialog);
    dialog.showModal();
    cancel.focus(); // the safe choice has the focus
  });
}
