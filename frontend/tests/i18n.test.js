// i18n.js: catalogs loaded on demand, t() with plurals and placeholders, the choice of language; and the
// catalogs themselves (frontend/static/app/locales/*.json) keep up with the messages the pages use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyToDocument, chooseLanguage, createI18n, directionOf, interpolate, localeOf, matchLanguage,
} from '../static/app/i18n.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'static', 'app');
const localesDir = join(appDir, 'locales');
const catalogFiles = readdirSync(localesDir).filter((name) => name.endsWith('.json'));
const catalogs = Object.fromEntries(
  catalogFiles.map((name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(localesDir, name), 'utf8'))]),
);

/** A fake fetchJson serving `files` ({url: catalog}), recording each request. */
function fakeFetch(files) {
  const calls = [];
  const fetchJson = async (url) => {
    calls.push(url);
    if (!(url in files)) throw new Error(`404 ${url}`);
    return structuredClone(files[url]);
  };
  return { fetchJson, calls };
}

const ARABIC_DAYS = {
  zero: 'لا أيام ({count})', one: 'يوم واحد', two: 'يومان', few: '{count} أيام', many: '{count} يومًا', other: '{count} يوم',
};

test('catalogs are fetched on demand, once each, with English as the fallback', async () => {
  const { fetchJson, calls } = fakeFetch({
    '/static/app/locales/en.json': { Hello: 'Hello' },
    '/static/app/locales/de.json': { Hello: 'Hallo' },
  });
  const i18n = createI18n({ fetchJson });
  assert.deepEqual(calls, [], 'nothing is fetched before a language is used');

  await i18n.use('de');
  await i18n.use('de');
  await Promise.all([i18n.load('de'), i18n.load('de')]);

  assert.deepEqual(calls.sort(), ['/static/app/locales/de.json', '/static/app/locales/en.json']);
  assert.equal(i18n.t('Hello'), 'Hallo');
  assert.equal(i18n.language, 'de');
});

test('a missing id falls back to English, then to the id itself', async () => {
  const { fetchJson } = fakeFetch({
    '/static/app/locales/en.json': { 'Only in English': 'Only in English, from the catalog' },
    '/static/app/locales/fr.json': { Bonjour: 'Bonjour' },
  });
  const i18n = createI18n({ fetchJson });
  await i18n.use('fr');

  assert.equal(i18n.t('Only in English'), 'Only in English, from the catalog');
  assert.equal(i18n.t('Nowhere at all {name}', { name: 'x' }), 'Nowhere at all x');
  assert.equal(i18n.has('Nowhere at all {name}'), false);
});

test('a catalog that cannot be loaded leaves the app in English, and is asked for again next time', async () => {
  let fail = true;
  const calls = [];
  const i18n = createI18n({
    fetchJson: async (url) => {
      calls.push(url);
      if (url.endsWith('/ar.json') && fail) throw new Error('offline');
      return url.endsWith('/ar.json') ? { Hello: 'مرحبًا' } : {};
    },
  });
  await i18n.use('ar');
  assert.equal(i18n.t('Hello'), 'Hello');

  fail = false;
  await i18n.use('ar');
  assert.equal(i18n.t('Hello'), 'مرحبًا');
  assert.equal(calls.filter((url) => url.endsWith('/ar.json')).length, 2);
});

test('plurals follow Intl.PluralRules: English one/other, Arabic all six forms', async () => {
  const { fetchJson } = fakeFetch({
    '/static/app/locales/en.json': { '{count} days': { one: '{count} day', other: '{count} days' } },
    '/static/app/locales/ar.json': { '{count} days': ARABIC_DAYS },
  });
  const i18n = createI18n({ fetchJson });
  await i18n.use('en');
  assert.equal(i18n.t('{count} days', { count: 1 }), '1 day');
  assert.equal(i18n.t('{count} days', { count: 2 }), '2 days');
  assert.equal(i18n.t('{count} days', { count: 1000 }), '1,000 days');

  await i18n.use('ar');
  const forms = [0, 1, 2, 3, 11, 100].map((count) => i18n.t('{count} days', { count }));
  const arabicNumber = (n) => new Intl.NumberFormat('ar').format(n);
  assert.deepEqual(forms, [
    `لا أيام (${arabicNumber(0)})`, 'يوم واحد', 'يومان', `${arabicNumber(3)} أيام`, `${arabicNumber(11)} يومًا`,
    `${arabicNumber(100)} يوم`,
  ]);
});

test('interpolation makes text only: markup in a value stays literal, and values are not read as placeholders', () => {
  assert.equal(interpolate('Hello {name}', { name: '<img src=x onerror=alert(1)>' }), 'Hello <img src=x onerror=alert(1)>');
  assert.equal(interpolate('{a} and {b}', { a: '{b}', b: 'B' }), '{b} and B');
  assert.equal(interpolate('{missing} stays', {}), '{missing} stays');
  assert.equal(interpolate('{zero} {nothing}', { zero: 0, nothing: null }), '0 {nothing}');
  // __proto__ and friends are not looked up on the object's prototype.
  assert.equal(interpolate('{toString}', {}), '{toString}');
});

test('a translated text built with t() goes into the page as a text node, never as HTML', async () => {
  const { fetchJson } = fakeFetch({ '/static/app/locales/en.json': {} });
  const i18n = createI18n({ fetchJson });
  await i18n.use('en');
  const text = i18n.t('Signed in as {name}', { name: '<b>bob</b>' });
  const node = { textContent: '' };
  node.textContent = text; // what dom.js's h()/setText do with every string
  assert.equal(node.textContent, 'Signed in as <b>bob</b>');
});

test('dates and numbers are written by Intl in the current language', async () => {
  const { fetchJson } = fakeFetch({ '/static/app/locales/en.json': {}, '/static/app/locales/de.json': {} });
  const i18n = createI18n({ fetchJson });
  await i18n.use('de');
  const when = new Date(Date.UTC(2026, 11, 7, 14, 5));

  assert.equal(i18n.formatNumber(1234.5), new Intl.NumberFormat('de').format(1234.5));
  assert.equal(i18n.formatDate(when, { dateStyle: 'long', timeZone: 'UTC' }), '7. Dezember 2026');
  assert.equal(i18n.formatDate(null), '—');
  assert.equal(i18n.locale, 'de');
});

test('the language: saved on the account, else stored in the browser, else navigator.languages, else English', () => {
  const offered = ['en', 'de', 'fr', 'es', 'pt-br', 'ar'];
  assert.equal(chooseLanguage({ saved: 'ar', stored: 'de', preferred: ['fr'], offered }), 'ar');
  assert.equal(chooseLanguage({ saved: '', stored: 'de', preferred: ['fr'], offered }), 'de');
  assert.equal(chooseLanguage({ preferred: ['ja-JP', 'pt-BR', 'en'], offered }), 'pt-br');
  assert.equal(chooseLanguage({ preferred: ['de-AT'], offered }), 'de');
  assert.equal(chooseLanguage({ preferred: ['pt-PT'], offered }), 'pt-br');
  assert.equal(chooseLanguage({ saved: 'xx', stored: 'tlh', preferred: ['ja'], offered }), 'en');
  assert.equal(matchLanguage('', offered), null);
});

test('<html lang dir> follow the language; Arabic is right to left', () => {
  const attributes = {};
  const root = { setAttribute: (name, value) => { attributes[name] = value; } };
  applyToDocument(root, 'ar');
  assert.deepEqual(attributes, { lang: 'ar', dir: 'rtl' });
  applyToDocument(root, 'pt-br');
  assert.deepEqual(attributes, { lang: 'pt-BR', dir: 'ltr' });
  assert.equal(directionOf('de'), 'ltr');
  assert.equal(localeOf('pt-br'), 'pt-BR');
});

// ---- the catalogs themselves ------------------------------------------------------------------------------------

const PLACEHOLDER = /\{[A-Za-z_][A-Za-z0-9_]*\}/g;
const names = (text) => [...new Set(String(text).match(PLACEHOLDER) || [])].sort();
const LANGUAGES = ['de', 'fr', 'es', 'pt-br', 'ar'];

/** The message ids the page modules pass to t() as literals. */
function idsUsedByTheApp() {
  const ids = new Set();
  const files = readdirSync(appDir, { recursive: true }).filter((name) => String(name).endsWith('.js'));
  for (const file of files) {
    const src = readFileSync(join(appDir, String(file)), 'utf8');
    for (const m of src.matchAll(/\bt(?:Nodes)?\(\s*'((?:[^'\\]|\\.)*)'/g)) ids.add(m[1].replace(/\\'/g, "'"));
  }
  return ids;
}

test('a catalog for every offered language but English (whose ids are the English text)', () => {
  assert.deepEqual(Object.keys(catalogs).sort(), ['ar', 'de', 'en', 'es', 'fr', 'pt-br']);
});

test('every message the app passes to t() is translated in every catalog', () => {
  const used = idsUsedByTheApp();
  assert.ok(used.size >= 15, `found ${used.size} ids`);
  for (const language of LANGUAGES) {
    const missing = [...used].filter((id) => !(id in catalogs[language]) || !catalogs[language][id]);
    assert.deepEqual(missing, [], `${language}.json lacks these`);
  }
});

test('placeholders match between languages, and plural forms are the language’s own categories', () => {
  for (const language of LANGUAGES) {
    const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
    for (const [id, message] of Object.entries(catalogs[language])) {
      if (typeof message === 'string') {
        assert.deepEqual(names(message), names(id), `${language}: ${id}`);
      } else {
        assert.deepEqual(Object.keys(message).sort(), [...categories].sort(), `${language}: forms of ${id}`);
        for (const form of Object.values(message)) {
          // A form may leave the number out ("one day"), never bring another placeholder in.
          assert.ok(names(form).every((name) => names(id).includes(name)), `${language}: ${form}`);
        }
      }
    }
  }
  assert.equal(Object.keys(catalogs.ar['Trust this device for {count} days']).length, 6);
});

test('styles.css is ready for right to left: logical properties, no physical left/right', () => {
  const css = readFileSync(join(appDir, 'styles.css'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const physical = [
    /\b(?:margin|padding|border)-(?:left|right)\b/, /(?:^|[\s;{])(?:left|right)\s*:(?!\s*50%)/m,
    /text-align:\s*(?:left|right)\b/, /float:\s*(?:left|right)\b/,
  ];
  for (const re of physical) assert.doesNotMatch(css, re);
});

// ---- no user-visible English left outside t() -------------------------------------------------------------------

// The modules that draw what a user reads: the pages and the shared modules that put text on them.
const UI_MODULES = [
  ...readdirSync(join(appDir, 'pages')).filter((name) => name.endsWith('.js')).map((name) => `pages/${name}`),
  'app.js', 'dom.js', 'confirm.js', 'dialog.js', 'toast.js', 'reauth.js', 'unverified.js', 'enrolment.js',
  'error-text.js', 'provider-buttons.js', 'federation.js', 'busy-retry.js', 'format.js', 'two-step-state.js', 'link-token.js', 'language-select.js', 'retry-load.js',
];
// Literals that are not words for a user: attribute values, names of things, and each language's own name.
const NOT_UI = /^(?:Gatehouse|Content-Type|English|Deutsch|français|español|Português Brasileiro|Authorization: Bearer <token>|[A-Za-z]+Error|alert alert-\w+|banner banner-\w+|not base64url)$/;
// Property names whose string values are not shown as text.
const ATTRIBUTE = /(?:class|testid|type|name|autocomplete|role|id|for|href|rel|method|kind|inputmode|autocapitalize|spellcheck|dir|lang|enterkeyhint|pattern|value|tone|icon|'aria-(?:hidden|live|current|controls|describedby|labelledby)')\s*:\s*$/;

/** Single-quoted literals in `src` that read as English words and are not the first argument of t()/tNodes(). */
function bareEnglish(src) {
  const found = [];
  const code = src.replace(/^\s*(?:\/\/|\*|\/\*).*$/gm, '').replace(/\s\/\/\s.*$/gm, '');
  for (const m of code.matchAll(/(\bt(?:Nodes)?\(\s*)?'((?:[^'\\\n]|\\.)*)'/g)) {
    if (m[1]) continue;
    const text = m[2];
    const before = code.slice(code.lastIndexOf('\n', m.index) + 1, m.index);
    if (/^\s*(?:import|export \{)/.test(before) || ATTRIBUTE.test(before) || NOT_UI.test(text)) continue;
    // An object's key ({ 'English words': … }), not a shown value; a ternary's first branch is still checked.
    if (/(?:^|[{,])\s*$/.test(before) && /^\s*:/.test(code.slice(m.index + m[0].length))) continue;
    if (/\b(?:querySelector|getItem|setItem|removeItem|addEventListener|setAttribute|getAttribute|request|has|get|code ===|name ===|err\.code|\.code ===|createElement|startsWith|endsWith|includes|split|join|replace)\s*\(?\s*$/.test(before)) continue;
    // A lower-case word where a page shows it: a child of h() after the attributes ({…}, 'or'), the value a
    // ternary gives when a call's answer is missing (… ? relativeTime(x) : 'never'), or a value's fallback
    // (ip || 'unknown'). As attribute values, codes or keys such words are left out above.
    if (/^[a-z]{2,}(?: [a-z]+)*$/.test(text) && /(?:\}\s*,|\)\s*:|\|\|)\s*$/.test(before)) {
      found.push(text);
      continue;
    }
    // English words: two letters or more and either a space or a capital first letter; paths, codes and CSS do not.
    if (!/[A-Za-z]{2}/.test(text) || /^[/#.[]/.test(text) || !/(?:^[A-Z][a-z]|[a-z] [a-z])/.test(text)) continue;
    found.push(text);
  }
  // Template literals: their fixed parts, with each ${…} left out, must not read as an English phrase either.
  for (const m of code.matchAll(/`((?:[^`\\]|\\.)*)`/g)) {
    const fixed = m[1].replace(/\$\{[^}]*\}/g, ' ');
    if (ATTRIBUTE.test(code.slice(code.lastIndexOf('\n', m.index) + 1, m.index))) continue;
    if (/[A-Za-z]{2,} [a-z]{2,}/.test(fixed) && !/^(?:curl |h\(\): )/.test(fixed)) found.push(m[1]);
  }
  return found;
}

test('the pages and the modules that draw them leave no English sentence outside t()', () => {
  const left = UI_MODULES.flatMap((file) => bareEnglish(readFileSync(join(appDir, file), 'utf8')).map((text) => `${file}: ${text}`));
  assert.deepEqual(left, [], 'shown without t()');
});

test('the scan for bare English finds what it should', () => {
  assert.deepEqual(bareEnglish("h('p', {}, 'Sign in to continue.'); h('span', { class: 'badge' }, t('On'));"), ['Sign in to continue.']);
  assert.deepEqual(bareEnglish("h('a', { href: '/login', class: 'btn btn-primary' }, t('Sign in'));"), []);
  assert.deepEqual(bareEnglish('toast(`Session on ${label} revoked.`); h(`x-${id}`);'), ['Session on ${label} revoked.']);
  // Single lower-case words a page shows: a divider's "or", a missing date's "never", a missing address's "unknown".
  assert.deepEqual(bareEnglish("h('p', { class: 'auth-divider' }, 'or'); h('p', { class: 'auth-divider' }, t('or'));"), ['or']);
  assert.deepEqual(bareEnglish("const when = p.used ? relativeTime(p.used, now) : 'never'; h('span', {}, ip || 'unknown');"), ['never', 'unknown']);
  assert.deepEqual(bareEnglish("h('input', { type: 'checkbox', name: 'remember' }); const kind = a ? 'totp' : 'recovery';"), []);
  assert.deepEqual(bareEnglish("const M = {\n  'Some English key': () => t('Some English key'),\n};\nh('b', {}, on ? 'Turned on' : t('Off'));"), ['Turned on']);
});
