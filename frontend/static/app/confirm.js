// Ask before a destructive action (or one that changes how signing in works): an in-page modal dialog, resolved with
// true for "confirm", false otherwise (Cancel, Escape). Cancel has the focus.
import { h } from './dom.js';
import { openModal } from './dialog.js';
import { t } from './translate.js';

/**
 * @param {object} opts
 * @param {Document} [opts.doc]
 * @param {string} opts.title    the question, e.g. "Revoke this session?"
 * @param {string} opts.message  what will happen
 * @param {string} opts.confirmLabel  the destructive button's label
 * @param {boolean} [opts.destructive]  false for a change that takes nothing away (the button is then not red)
 * @param {string[]} [opts.details]  a list under the message: what exactly goes
 * @returns {Promise<boolean>}
 */
export function confirmAction({ doc = document, title, message, confirmLabel, destructive = true, details = null }) {
  const cancel = h('button', { type: 'button', class: 'btn btn-secondary', testid: 'cancel-action' }, t('Cancel'));
  const confirm = h('button', { type: 'button', class: ['btn', destructive ? 'btn-danger' : 'btn-primary'], testid: 'confirm-action' }, confirmLabel);
  const { finish, result } = openModal({
    doc,
    title,
    content: [
      h('p', { class: 'dialog-message' }, message),
      details ? h('ul', { class: 'dialog-list', testid: 'confirm-details' }, details.map((item) => h('li', {}, item))) : null,
      h('div', { class: 'dialog-actions' }, cancel, confirm),
    ],
  });
  cancel.addEventListener('click', () => finish(false));
  confirm.addEventListener('click', () => finish(true));
  cancel.focus();
  return result;
}
