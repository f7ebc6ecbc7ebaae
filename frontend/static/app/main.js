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
    // Its linked sign-in providers (one button each; the same provider linked twice is offered once).
    providers: [...new Map((identities || []).map((i) => [i.provider, { slug: i.provider, name: i.name, kind: i.kind }])).values()],
  };
}

const client = createGatehouseClient({
  clock,
  onStatus: (info) => app && app.handleStatus(info),
  onReauthRequired: (err) =>
    askToReauthenticate({
      methods: err && err.body && Array.isArray(err.body.methods) ? err.body.methods : null,
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
