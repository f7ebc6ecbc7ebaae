// Browser wiring: the only module that touches window, document, fetch,
// localStorage, navigator.locks and the real clock. Everything else receives
// them as arguments (and is unit-tested with fakes in frontend/tests/). The
// session itself is the client package's (frontend/client, served at
// /static/client/), wired by the same createGatehouseClient a page on another
// origin calls.

import { createGatehouseClient } from '../client/index.js';
import { askToReauthenticate } from './reauth.js';
import { createRouter, ROUTES } from './router.js';
import { loadExtensions } from './extensions.js';
import { createApp } from './app.js';
import { readCapabilities } from './capabilities.js';
import { reauthOptions } from './two-step-state.js';
import { applyToDocument, chooseLanguage, createI18n, DEFAULT_LANGUAGE, STORAGE_KEY } from './i18n.js';
import { activeLanguage, installTranslator } from './translate.js';
import { adoptProviderSignIn, createFederation } from './federation.js';
import * as login from './pages/login.js';
import * as signup from './pages/signup.js';
import * as forgotPassword from './pages/forgot-password.js';
import * as resetPassword from './pages/reset-password.js';
import * as verifyEmail from './pages/verify-email.js';
import * as dashboard from './pages/dashboard.js';
import * as sessions from './pages/sessions.js';
import * as account from './pages/account.js';
import * as staff from './pages/staff.js';
import * as authorize from './pages/authorize.js';
import * as endSession from './pages/end-session.js';

const clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (id) => window.clearTimeout(id),
};
const timers = {
  setInterval: (fn, ms) => window.setInterval(fn, ms),
  clearInterval: (id) => window.clearInterval(id),
};

const signupMeta = document.querySelector('meta[name="signup-enabled"]');
const signupEnabled = !!signupMeta && signupMeta.getAttribute('content') === 'true';

let app = null;
// Filled in before the first page shows (below); read by the re-authentication dialog.
let capabilities = null;

/** What the account has besides its password, for the "Confirm it's you" dialog to offer (and nothing else). */
async function reauthenticationOptions() {
  const [mfa, passkeys, identities] = await Promise.all([
    api.mfaStatus(), api.passkeys().catch(() => []), federation.identities().catch(() => []),
  ]);
  return {
    ...reauthOptions(mfa, passkeys, { passkeysUsable: webauthn.supported && !!(capabilities && capabilities.passkeys) }),
    // Its linked sign-in providers (one button each; the same provider linked twice is offered once), but
    // GitHub, which cannot be asked for a fresh sign-in (the server answers reauthentication_unsupported).
    providers: [...new Map((identities || []).filter((i) => i.kind !== 'github')
      .map((i) => [i.provider, { slug: i.provider, name: i.name, kind: i.kind }])).values()],
  };
}

/** localStorage for the language picked while signed out; a tab without storage keeps it in memory. */
function languageStorage() {
  try {
    const s = window.localStorage;
    s.getItem(STORAGE_KEY);
    return s;
  } catch {
    const mem = new Map();
    return { getItem: (k) => (mem.has(k) ? mem.get(k) : null), setItem: (k, v) => mem.set(k, String(v)) };
  }
}

/**
 * The app's language as the request's Accept-Language, so the server's messages (`detail`) come in the
 * language chosen here even while signed out; a signed-in account's saved language still wins on the server.
 */
function inAppLanguage(input, init = {}) {
  const code = activeLanguage();
  if (!code) return [input, init];
  const headers = new Headers(init.headers || (input instanceof Request ? input.headers : undefined));
  if (!headers.has('Accept-Language')) headers.set('Accept-Language', code);
  return [input, { ...init, headers }];
}

const client = createGatehouseClient({
  fetch: (input, init) => window.fetch(...inAppLanguage(input, init)),
  clock,
  onStatus: (info) => app && app.handleStatus(info),
  onReauthRequired: (err) =>
    askToReauthenticate({
      methods: err && err.body && Array.isArray(err.body.methods) ? err.body.methods : null,
      provider: err && err.body && typeof err.body.provider === 'string' ? err.body.provider : null,
      reauthenticate: (proof) => api.reauthenticate(proof),
      options: reauthenticationOptions,
      withPasskey: webauthn.supported
        ? async () => api.reauthenticateWithPasskey(await webauthn.get(await api.passkeyReauthenticationOptions()))
        : null,
      // Leaves the page: back here through the provider, with a fresh authentication, to try again.
      withProvider: (provider) =>
        federation.start(provider.slug, { intent: 'reauth', next: window.location.pathname + window.location.search }),
    }),
});
const { api, store, webauthn } = client;
client.onSessionEnded((info) => app && app.handleLogout(info));

// Back from a sign-in (or "Confirm it's you") at another identity provider: the refresh cookie the
// server's callback set becomes this tab's access token before anything is drawn.
await adoptProviderSignIn({ doc: document, fetch: (...args) => window.fetch(...args), store });

const federation = createFederation({
  fetch: (...args) => window.fetch(...args),
  api,
  assign: (url) => window.location.assign(url),
});

capabilities = await readCapabilities({ api, clock, signupEnabled });

// The app's language (i18n.js): the account's saved one once known (onUser below), else the choice stored in
// this browser, else navigator.languages; catalogs are JSON files loaded on demand.
const storage = languageStorage();
const i18n = createI18n({
  fetchJson: (url) => window.fetch(url, { credentials: 'same-origin' }).then((r) => {
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.json();
  }),
});
installTranslator(i18n);
async function offeredLanguages() {
  try {
    const r = await window.fetch('/api/auth/languages/', { credentials: 'same-origin' });
    const list = r.ok ? await r.json() : [];
    return Array.isArray(list) && list.length ? list : [{ code: DEFAULT_LANGUAGE, name: 'English', direction: 'ltr' }];
  } catch {
    return [{ code: DEFAULT_LANGUAGE, name: 'English', direction: 'ltr' }];
  }
}
const languages = await offeredLanguages();
async function speak(code) {
  await i18n.use(code);
  applyToDocument(document.documentElement, code);
  // The page's own texts outside the app's root (index.html).
  const skip = document.querySelector('.skip-link');
  if (skip) skip.textContent = i18n.t('Skip to content');
}
await speak(chooseLanguage({
  stored: storage.getItem(STORAGE_KEY) || '',
  preferred: navigator.languages || [navigator.language],
  offered: languages.map((l) => l.code),
}));
const language = {
  languages,
  t: (text, params) => i18n.t(text, params),
  get current() {
    return i18n.language;
  },
  /** Signed in: saved on the account (its mail and server messages follow); signed out: in this browser. */
  async choose(code) {
    if (store.get()) await api.updateProfile({ language: code });
    else storage.setItem(STORAGE_KEY, code);
    await speak(code);
  },
};
// Your own pages (GATEHOUSE_APP_PAGES; see extensions.js and docs/building-on-gatehouse.md).
const extensions = await loadExtensions({
  doc: document,
  importModule: (url) => import(url),
  builtinRoutes: ROUTES,
  log: (...args) => console.error(...args),
});

app = createApp({
  root: document.getElementById('app'),
  banner: document.getElementById('status-banner'),
  live: document.getElementById('live-region'),
  doc: document,
  api,
  store,
  clock,
  timers,
  pages: { login, loginCode: login, signup, forgotPassword, resetPassword, verifyEmail, dashboard, sessions, account, staff, authorize, authorizeSilent: authorize, endSession, ...extensions.pages },
  routes: [...ROUTES, ...extensions.routes],
  nav: extensions.nav,
  signupEnabled: capabilities.signup,
  capabilities,
  webauthn,
  language,
  // The account's saved language wins once the account is known; the page is drawn again in it.
  onUser: (user) => {
    const saved = user && user.language;
    if (!saved || saved === i18n.language || !languages.some((l) => l.code === saved)) return;
    speak(saved).then(() => app.render());
  },
  federation,
});
store.subscribe((token, info) => app.handleTokenChange(token, info));

const router = createRouter({
  history: window.history,
  location: window.location,
  onChange: () => app.render(),
  listen: (type, fn) => (type === 'popstate' ? window : document).addEventListener(type, fn),
});
app.attachRouter(router);
router.start();

// After an outage, try again as soon as there is a reason to expect success;
// a tab shown again also asks whether its session is still live.
window.addEventListener('online', () => {
  api.retryNow();
  app.wake();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible') return;
  api.retryNow();
  app.checkSession();
});
