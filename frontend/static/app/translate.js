// The app's current language for the modules that are handed no page context (dom.js, the dialogs, the toasts,
// the header, format.js): main.js installs the i18n.js instance once its catalog is loaded; until then, and in
// unit tests that install none, t() answers the English id with its placeholders put in.
import { DEFAULT_LANGUAGE, interpolate } from './i18n.js';

let active = null;

/** Speak through `i18n` (createI18n's instance) from now on; null goes back to English ids. */
export function installTranslator(i18n) {
  active = i18n || null;
}

/** The text of message `id` in the current language, with `params` put in (text only; see i18n.js). */
export function t(id, params = {}) {
  return active ? active.t(id, params) : interpolate(id, params);
}

/** The code of the language the app speaks ("pt-br"), or null before main.js has chosen one. */
export function activeLanguage() {
  return active ? active.language : null;
}

/** The current language's BCP 47 tag ("pt-BR"), for Intl. */
export function currentLocale() {
  return active ? active.locale : DEFAULT_LANGUAGE;
}

/**
 * Message `id` as a list of text and nodes, for a sentence with an element inside it ("We sent a link to
 * <strong>{email}</strong>…"): each {name} of `nodes` becomes that node, wherever the language puts it; the rest
 * is text (strings, for dom.js's h() to make text nodes of).
 */
export function tNodes(id, nodes = {}, params = {}) {
  const keep = Object.fromEntries(Object.keys(nodes).map((name) => [name, `{${name}}`]));
  const text = t(id, { ...params, ...keep });
  const parts = [];
  const names = new RegExp(`\\{(${Object.keys(nodes).map((n) => n.replace(/\W/g, '')).join('|') || '(?!)'})\\}`, 'g');
  let last = 0;
  for (const m of text.matchAll(names)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(nodes[m[1]]);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
