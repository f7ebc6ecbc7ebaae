// The visible message after an action ("Session revoked."), announced to
// screen readers too. One at a time; each hides itself after a few seconds.
import { h, setText } from './dom.js';

const SHOW_MS = 6000;

/**
 * @param {{doc: Document, clock: {setTimeout: Function, clearTimeout: Function}}} deps
 * @returns {(message: string) => void}
 */
export function createToaster({ doc, clock }) {
  let el = null;
  let timer = null;

  return function toast(message) {
    if (!el) {
      el = h('div', { class: 'toast', testid: 'toast', role: 'status', 'aria-live': 'polite' });
      doc.body.append(el);
    }
    if (timer !== null) clock.clearTimeout(timer);
    setText(el, message);
    el.hidden = false;
    timer = clock.setTimeout(() => {
      el.hidden = true;
      timer = null;
    }, SHOW_MS);
  };
}
