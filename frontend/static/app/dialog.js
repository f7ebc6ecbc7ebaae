// An in-page modal <dialog>: focus stays inside, Escape closes it. Resolves
// once with the value given to `finish` (false when closed any other way),
// and removes itself from the page.
import { h } from './dom.js';

let seq = 0;

/**
 * @param {object} opts
 * @param {Document} [opts.doc]
 * @param {string} opts.title
 * @param {...Node} opts.content  what goes under the title
 * @returns {{dialog: HTMLDialogElement, finish: (value: any) => void, result: Promise<any>}}
 */
export function openModal({ doc = document, title, content }) {
  seq += 1;
  const heading = h('h2', { class: 'dialog-title', id: `dialog-title-${seq}` }, title);
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': heading.id }, heading, ...content);
  let resolve;
  const result = new Promise((r) => {
    resolve = r;
  });
  let done = false;
  function finish(value) {
    if (done) return;
    done = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    resolve(value);
  }
  dialog.addEventListener('cancel', () => finish(false)); // Escape
  dialog.addEventListener('close', () => finish(false));
  doc.body.append(dialog);
  dialog.showModal();
  return { dialog, finish, result };
}
