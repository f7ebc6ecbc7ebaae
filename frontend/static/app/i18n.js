// The browser app's language: catalogs (plain JSON, one per language, loaded on demand), t() with plurals and
// placeholders, dates and numbers by Intl, and which language to use. No DOM and no browser globals: main.js
// hands in fetch and storage (unit-tested with fakes in frontend/tests/i18n.test.js).
//
// A catalog is {"id": "text"} where a text may hold {name} placeholders, or, for a message that counts,
// {"id": {"one": "…", "other": "…"}} keyed by Intl.PluralRules categories (Arabic uses all six: zero, one,
// two, few, many, other). t() returns a string; callers put it in text nodes (dom.js), so a placeholder's
// value, whatever it holds, is only ever text, never markup.

export const DEFAULT_LANGUAGE = 'en';
export const LOCALES_URL = '/static/app/locales/';
export const STORAGE_KEY = 'language';
// Codes of the server's LANGUAGES (GET /api/auth/languages/), written in lower case as the server writes them.
export const RIGHT_TO_LEFT = new Set(['ar', 'fa', 'he', 'ur']);

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** "pt-br" → "pt-BR": the tag Intl and <html lang> expect for a code of the server. */
export function localeOf(code) {
  const [language, region] = String(code || DEFAULT_LANGUAGE).split('-');
  return region ? `${language.toLowerCase()}-${region.toUpperCase()}` : language.toLowerCase();
}

/** "rtl" for a right-to-left language, else "ltr". */
export function directionOf(code) {
  return RIGHT_TO_LEFT.has(String(code || '').split('-')[0].toLowerCase()) ? 'rtl' : 'ltr';
}

/**
 * The offered code that best matches `wanted` (a code or a browser tag like "de-AT"), or null:
 * an exact match first ("pt-BR" → "pt-br"), else the same language ("de-AT" → "de", "pt-PT" → "pt-br").
 */
export function matchLanguage(wanted, offered) {
  if (!wanted) return null;
  const tag = String(wanted).toLowerCase();
  const codes = offered.map((code) => String(code).toLowerCase());
  if (codes.includes(tag)) return tag;
  const base = tag.split('-')[0];
  return codes.find((code) => code === base) || codes.find((code) => code.split('-')[0] === base) || null;
}

/**
 * Which language the app speaks: the account's saved language, else the choice stored in this browser
 * (made on the login page while signed out), else the first of navigator.languages this site offers, else en.
 */
export function chooseLanguage({ saved = '', stored = '', preferred = [], offered = [DEFAULT_LANGUAGE] } = {}) {
  for (const candidate of [saved, stored]) {
    const found = matchLanguage(candidate, offered);
    if (found) return found;
  }
  for (const tag of preferred || []) {
    const found = matchLanguage(tag, offered);
    if (found) return found;
  }
  return matchLanguage(DEFAULT_LANGUAGE, offered) || DEFAULT_LANGUAGE;
}

/** `text` with each {name} replaced by String(params[name]); unknown names stay as written. One pass only. */
export function interpolate(text, params = {}) {
  return String(text).replace(PLACEHOLDER, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) && params[name] !== undefined && params[name] !== null
      ? String(params[name])
      : whole);
}

/**
 * createI18n({ fetchJson }) → { load, use, t, language, direction, locale, formatDate, formatNumber, has }.
 * fetchJson(url) resolves to the parsed catalog; each catalog is asked for once (a failed one may be asked again).
 */
export function createI18n({ fetchJson, baseUrl = LOCALES_URL, language = DEFAULT_LANGUAGE } = {}) {
  const catalogs = new Map(); // code -> catalog object
  const pending = new Map(); // code -> promise of the catalog
  let current = language;

  function load(code) {
    if (catalogs.has(code)) return Promise.resolve(catalogs.get(code));
    if (!pending.has(code)) {
      const request = Promise.resolve()
        .then(() => fetchJson(`${baseUrl}${encodeURIComponent(code)}.json`))
        .then((catalog) => {
          const value = catalog && typeof catalog === 'object' && !Array.isArray(catalog) ? catalog : {};
          catalogs.set(code, value);
          return value;
        })
        .finally(() => pending.delete(code));
      pending.set(code, request);
    }
    return pending.get(code);
  }

  /** Speak `code` from now on: its catalog and English (the fallback) are loaded first. A catalog that fails to load leaves English. */
  async function use(code) {
    const loads = [load(DEFAULT_LANGUAGE).catch(() => ({}))];
    if (code !== DEFAULT_LANGUAGE) loads.push(load(code).catch(() => null));
    await Promise.all(loads);
    current = code;
    return current;
  }

  function lookup(id) {
    const mine = catalogs.get(current);
    if (mine && Object.prototype.hasOwnProperty.call(mine, id)) return { message: mine[id], locale: localeOf(current) };
    const fallback = catalogs.get(DEFAULT_LANGUAGE);
    if (fallback && Object.prototype.hasOwnProperty.call(fallback, id)) return { message: fallback[id], locale: 'en' };
    return { message: id, locale: 'en' };
  }

  /**
   * The text of message `id` in the current language (else English, else the id itself), with `params` put in.
   * A counted message picks its form with Intl.PluralRules from params.count.
   */
  function t(id, params = {}) {
    const { message, locale } = lookup(id);
    let text = message;
    if (message && typeof message === 'object') {
      const count = Number(params.count);
      const category = new Intl.PluralRules(locale).select(Number.isFinite(count) ? count : 0);
      text = message[category] ?? message.other ?? '';
    }
    const shown = { ...params };
    if (typeof params.count === 'number') shown.count = formatNumber(params.count);
    return interpolate(text, shown);
  }

  function formatNumber(value, options = {}) {
    return new Intl.NumberFormat(localeOf(current), options).format(value);
  }

  /** A date (and time, unless `options` says otherwise) in the current language; "—" for none. */
  function formatDate(value, options = { dateStyle: 'medium', timeStyle: 'short' }) {
    const date = value instanceof Date ? value : new Date(value);
    if (value === null || value === undefined || value === '' || Number.isNaN(date.getTime())) return '—';
    return new Intl.DateTimeFormat(localeOf(current), options).format(date);
  }

  return {
    load,
    use,
    t,
    has: (id) => lookup(id).message !== id,
    formatDate,
    formatNumber,
    get language() {
      return current;
    },
    get locale() {
      return localeOf(current);
    },
    get direction() {
      return directionOf(current);
    },
  };
}

/** Set <html lang dir> for `code` (the element is handed in: main.js passes document.documentElement). */
export function applyToDocument(root, code) {
  root.setAttribute('lang', localeOf(code));
  root.setAttribute('dir', directionOf(code));
}
