// The application shell: decides what to show for the current location
// (router.resolve), loads the signed-in user, draws the layout (header, nav,
// current user, logout) and mounts the page module. Reacts to logouts and
// connectivity problems reported by the API client.

import { interpolate } from './i18n.js';
import { add, h, link, setChildren, setText, loading, errorState, pageTitle } from './dom.js';
import { resolve, matchRoute, loginUrl, safeNext, ROUTES } from './router.js';
import { AuthError } from './api.js';
import { initial } from './format.js';
import { createToaster } from './toast.js';
import { loadUntilAnswered } from './retry-load.js';
import { t } from './translate.js';
import { errorMessage } from './error-text.js';

const NAV = [
  { href: '/', testid: 'nav-dashboard', get label() { return t('Overview'); }, name: 'dashboard' },
  { href: '/sessions', testid: 'nav-sessions', get label() { return t('Sessions'); }, name: 'sessions' },
  { href: '/account', testid: 'nav-account', get label() { return t('Account'); }, name: 'account' },
  { href: '/staff', testid: 'nav-staff', get label() { return t('Staff'); }, name: 'staff', staff: true },
];

const LOGOUT_MESSAGES = {
  session_expired: ['warning', t('Your session has ended. Please sign in again.')],
  elsewhere: ['info', t('You were signed out in another tab.')],
  cleared: ['info', t('You were signed out.')],
  logout: ['success', t('You’re signed out. See you soon.')],
  logout_all: ['success', t('You’ve been signed out on all your devices.')],
  account_deleted: ['success', t('Your account has been deleted. We’ve sent a confirmation to your email address.')],
};

function brand() {
  return link(
    '/',
    { class: 'brand', 'aria-label': t('Gatehouse home') },
    h('img', { src: '/static/app/logo.svg', alt: '', width: '28', height: '28', class: 'brand-mark' }),
    h('span', { class: 'brand-name' }, 'Gatehouse'),
  );
}

/**
 * @param {object} deps
 * @param {HTMLElement} deps.root       where pages are drawn
 * @param {HTMLElement} deps.banner     connectivity banner (role=status)
 * @param {HTMLElement} deps.live       visually hidden live region for announcements
 * @param {Document}    deps.doc
 * @param {object}      deps.api        createApiClient(...)
 * @param {object}      deps.store      createTokenStore(...)
 * @param {object}      deps.clock      {now, setTimeout, clearTimeout}
 * @param {object}      deps.timers     {setInterval, clearInterval}
 * @param {Record<string, {mount: Function}>} deps.pages page modules by route name
 * @param {boolean}     deps.signupEnabled
 * @param {object}      [deps.capabilities] what this server offers (capabilities.js): pages offer nothing else
 * @param {object[]}    [deps.routes]   the router's routes: Gatehouse's, and your pages' (extensions.js)
 * @param {object[]}    [deps.nav]      more links for the header (extensions.js)
 * @param {object}      [deps.federation] sign-in with other identity providers (federation.js)
 */
// A protected page older than this since the last word from the server asks again before it shows.
const SESSION_RECHECK_MS = 5000;

export function createApp({
  root, banner, live, doc, api, store, clock, timers, pages, signupEnabled, capabilities = null, webauthn = null,
  routes = ROUTES, nav = [], language = null, onUser = null, federation = null,
}) {
  const caps = capabilities || { signup: !!signupEnabled, passwordReset: true, passkeys: true, emailVerification: 'optional', trustDeviceDays: 30 };
  let router = null;
  const state = { user: null, checkedAt: null, flash: null, seq: 0, dispose: null, rendered: false, bannerTimer: null };

  function attachRouter(r) {
    router = r;
  }

  const toast = createToaster({ doc, clock });
  const shownListeners = new Set();
  // Called when there is reason to expect the server again: back online, the tab shown again.
  const wakeListeners = new Set();
  let bootRetry = null;
  const pageLoaders = new Set();

  function announce(message) {
    if (!live) return;
    setText(live, '');
    clock.setTimeout(() => setText(live, message), 50);
  }

  function takeFlash() {
    const f = state.flash;
    state.flash = null;
    return f;
  }

  function unmountPage() {
    if (typeof state.dispose === 'function') {
      try {
        state.dispose();
      } catch {
        /* ignore */
      }
    }
    state.dispose = null;
    shownListeners.clear();
    wakeListeners.clear();
    for (const loader of pageLoaders) loader.stop();
    pageLoaders.clear();
    if (bootRetry) bootRetry.stop();
    bootRetry = null;
  }

  // ---- layouts --------------------------------------------------------------

  function header(activeName) {
    const user = state.user;
    const items = [...NAV, ...nav].filter((n) => !n.staff || (user && user.is_staff));
    const logoutBtn = h(
      'button',
      { type: 'button', class: 'btn btn-ghost btn-sm', testid: 'logout', on: { click: onLogoutClick } },
      t('Sign out'),
    );
    return h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'topbar-inner' },
        brand(),
        h(
          'nav',
          { class: 'nav', 'aria-label': t('Main') },
          h(
            'ul',
            { class: 'nav-list' },
            items.map((n) =>
              h(
                'li',
                {},
                link(
                  n.href,
                  {
                    class: ['nav-link', n.name === activeName && 'is-active'],
                    testid: n.testid,
                    'aria-current': n.name === activeName ? 'page' : undefined,
                  },
                  n.label,
                ),
              ),
            ),
          ),
        ),
        h(
          'div',
          { class: 'user-menu' },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(user && user.username)),
          h(
            'span',
            { class: 'user-name' },
            h('span', { class: 'visually-hidden' }, t('Signed in as ')),
            h('span', { testid: 'current-user' }, user ? user.username : ''),
          ),
          logoutBtn,
        ),
      ),
    );
  }

  function protectedLayout(activeName) {
    const main = h('main', { id: 'main', class: 'page', tabindex: '-1' });
    setChildren(root, header(activeName), h('div', { class: 'page-wrap' }, main), footer());
    return main;
  }

  function guestLayout() {
    const main = h('main', { id: 'main', class: 'auth-main', tabindex: '-1' });
    const card = h('div', { class: 'auth-card' });
    main.append(h('div', { class: 'auth-brand' }, brand()), card);
    setChildren(root, h('div', { class: 'auth-layout' }, main, footer()));
    return card;
  }

  // The API docs are for developers and staff: linked from the staff page, not from every page.
  function footer() {
    return h('footer', { class: 'footer' }, h('span', {}, 'Gatehouse'));
  }

  // ---- rendering ------------------------------------------------------------

  function bootScreen() {
    unmountPage();
    setChildren(root, h('div', { class: 'boot' }, loading(t('Loading Gatehouse…'))));
  }

  /**
   * The first answer about the signed-in user did not come (an outage at start): say so, and keep
   * asking with the refresh's backoff, at once when back online or shown again; the page comes
   * as soon as the server answers.
   */
  function fatal(err) {
    unmountPage();
    const card = guestLayout();
    const seq = state.seq;
    const show = (error, { retrying }) => {
      setChildren(card, pageTitle(t('Something’s not right')), errorState(errorMessage(error), () => bootRetry && bootRetry.retryNow(), { retrying }));
    };
    show(err, { retrying: true });
    bootRetry = loadUntilAnswered({
      load: async () => {
        if (seq !== state.seq) return;
        const user = await api.me();
        if (seq !== state.seq) return;
        setUser(user);
        render();
      },
      onFailure: (error, info) => {
        if (error instanceof AuthError) {
          render();
          return;
        }
        show(error, info);
      },
      clock,
      wakeUps: [(fn) => subscribe(wakeListeners, fn)],
    });
  }

  function subscribe(set, fn) {
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Back online: pages waiting to load again ask at once. */
  function wake() {
    for (const fn of [...wakeListeners]) fn();
  }

  async function render() {
    if (!router) return;
    const seq = ++state.seq;
    const loc = router.current();

    if (store.get() && (!state.user || sessionCheckIsStale())) {
      const known = !!state.user;
      if (!known && (!state.rendered || !root.firstChild)) bootScreen();
      try {
        const user = await api.me();
        if (seq !== state.seq) return;
        setUser(user);
      } catch (err) {
        if (seq !== state.seq) return;
        if (!(err instanceof AuthError)) {
          if (known) return renderPage(seq, loc); // an outage: the banner says so; the page still shows
          fatal(err);
          return;
        }
        // AuthError: the API client has ended the session (and told us), or
        // there was no token after all; fall through as a guest.
        setUser(null);
      }
    }

    renderPage(seq, loc);
  }

  /** Whether a protected page should ask the server again before it shows (the session may have ended elsewhere). */
  function sessionCheckIsStale() {
    return state.checkedAt === null || clock.now() - state.checkedAt > SESSION_RECHECK_MS;
  }

  function setUser(user) {
    state.user = user;
    state.checkedAt = user ? clock.now() : null;
    if (onUser) onUser(user); // main.js: the account's saved language (i18n.js)
    // The header names the user: a changed username shows at once, without drawing the page again.
    const name = user && root.querySelector('[data-testid="current-user"]');
    if (name) {
      setText(name, user.username);
      setText(root.querySelector('.user-menu .avatar'), initial(user.username));
    }
  }

  /**
   * Tab shown again: if the last check is old, check now (a 401 ends in the login page;
   * the page is mounted afresh). Otherwise the page is told (ctx.onShown), to update itself.
   */
  function checkSession() {
    if (store.get() && state.user && sessionCheckIsStale()) render();
    else for (const fn of [...shownListeners, ...wakeListeners]) fn();
  }

  function renderPage(seq, loc) {
    if (seq !== state.seq) return;
    const authenticated = !!(store.get() && state.user);
    const decision = resolve(loc, { authenticated, user: state.user, signupEnabled }, routes);
    if (decision.kind === 'redirect') {
      router.navigate(decision.to, { replace: true });
      return;
    }

    unmountPage();
    let container;
    let title;
    if (decision.kind === 'render' && (decision.route.access === 'guest' || decision.route.access === 'public')) {
      container = guestLayout();
      title = decision.route.title;
    } else {
      const name = decision.route ? decision.route.name : null;
      container = protectedLayout(name);
      title = decision.kind === 'not-found' ? t('Page not found') : decision.route.title;
    }
    doc.title = `${title} · Gatehouse`;

    if (decision.kind === 'not-found') {
      add(container, 
        pageTitle(t('Page not found'), t('There is nothing at this address.')),
        h('p', {}, link('/', { class: 'btn btn-primary' }, t('Back to overview'))),
      );
    } else if (decision.kind === 'forbidden') {
      add(container, 
        pageTitle(t('Staff only'), t('This page is for staff members.')),
        h('p', {}, link('/', { class: 'btn btn-primary' }, t('Back to overview'))),
      );
    } else {
      const page = pages[decision.route.name];
      const ctx = makeContext(decision.route, loc);
      try {
        state.dispose = page.mount(container, ctx) || null;
      } catch (err) {
        add(container, errorState(errorMessage(err), () => render()));
      }
    }

    // Move focus to the new page's heading so keyboard and screen-reader users
    // land on it (not on the very first render: the page may focus a field).
    if (state.rendered) {
      const heading = root.querySelector('h1');
      if (heading && !root.contains(doc.activeElement === doc.body ? null : doc.activeElement)) {
        heading.focus({ preventScroll: false });
      }
    }
    state.rendered = true;
  }

  function makeContext(route, loc) {
    return {
      api,
      store,
      clock,
      route,
      location: loc,
      user: state.user,
      signupEnabled: caps.signup,
      /** What this server offers: {signup, passwordReset, passkeys, emailVerification}. */
      capabilities: caps,
      webauthn,
      /** The app's language (main.js, i18n.js): {languages, current, choose(code)}; t(text, params) translates. */
      language,
      t: language ? language.t : interpolate,
      /** Sign-in with other identity providers (federation.js); null where the app was made without it. */
      federation,
      flash: takeFlash(),
      /** A message for the next page shown (e.g. the login page after a password reset). */
      setFlash(kind, text) {
        state.flash = { kind, text };
      },
      announce,
      toast,
      navigate: (to, opts) => router.navigate(to, opts),
      every(ms, fn) {
        const id = timers.setInterval(fn, ms);
        return () => timers.clearInterval(id);
      },
      /** fn() when the tab is shown again and this page stays (see checkSession); returns its stop. */
      onShown(fn) {
        return subscribe(shownListeners, fn);
      },
      /** fn() when the server may be back (online again, the tab shown again); returns its stop. */
      onWake(fn) {
        return subscribe(wakeListeners, fn);
      },
      /** A page's own load, retried until the server answers (retry-load.js); stopped when the page goes. */
      loadUntilAnswered({ load, onFailure }) {
        const loader = loadUntilAnswered({ load, onFailure, clock, wakeUps: [(fn) => subscribe(wakeListeners, fn)] });
        pageLoaders.add(loader);
        return {
          retryNow: loader.retryNow,
          stop() {
            loader.stop();
            pageLoaders.delete(loader);
          },
        };
      },
      isVisible: () => doc.visibilityState !== 'hidden',
      setUser,
      onLogin(user) {
        setUser(user);
        const next = new URLSearchParams(loc.search).get('next');
        router.navigate(safeNext(next, routes), { replace: true });
      },
    };
  }

  // ---- events from the API client and the store ----------------------------

  async function onLogoutClick(event) {
    const btn = event.currentTarget;
    btn.disabled = true;
    await api.logout(); // -> handleLogout({reason: 'logout'})
  }

  function handleLogout({ reason }) {
    setUser(null);
    const [kind, text] = LOGOUT_MESSAGES[reason] || LOGOUT_MESSAGES.cleared;
    state.flash = { kind, text };
    hideBanner();
    if (!router) return;
    const loc = router.current();
    const route = matchRoute(loc.pathname, routes);
    const target =
      reason === 'session_expired' && route && route.access !== 'guest' && route.access !== 'public' ? loginUrl(loc.pathname, loc.search) : '/login';
    router.navigate(target, { replace: true });
  }

  function hideBanner() {
    if (state.bannerTimer) timers.clearInterval(state.bannerTimer);
    state.bannerTimer = null;
    banner.hidden = true;
    banner.className = 'banner';
    setChildren(banner);
  }

  function handleStatus(info) {
    if (info.state === 'ok') {
      hideBanner();
      return;
    }
    if (state.bannerTimer) timers.clearInterval(state.bannerTimer);
    state.bannerTimer = null;
    banner.hidden = false;
    banner.className = 'banner banner-warning';
    if (info.state === 'retrying') {
      const until = clock.now() + (info.delayMs || 0);
      const text = h('span', {});
      const tick = () => {
        const secs = Math.max(0, Math.ceil((until - clock.now()) / 1000));
        setText(
          text,
          secs > 0
            ? t('Connection problem: can’t renew your session right now. Retrying in {count} s…', { count: secs })
            : t('Connection problem: retrying…'),
        );
      };
      tick();
      state.bannerTimer = timers.setInterval(tick, 1000);
      setChildren(banner, h('span', { class: 'banner-dot', 'aria-hidden': 'true' }), text);
    } else {
      setChildren(
        banner,
        h('span', { class: 'banner-dot', 'aria-hidden': 'true' }),
        h('span', {}, t('Gatehouse can’t be reached. You’re still signed in; we’ll try again.')),
        h('button', { type: 'button', class: 'btn btn-sm btn-secondary', on: { click: () => render() } }, t('Retry now')),
      );
    }
  }

  function handleTokenChange(token, { external }) {
    if (!token) return; // logouts arrive through handleLogout
    const claims = store.claims(token);
    const sameUser = state.user && claims && String(claims.user_id) === String(state.user.id);
    if (state.user && claims && claims.user_id !== undefined && !sameUser) {
      // Another account signed in (in another tab): start over with it.
      setUser(null);
      render();
    } else if (external && !state.user) {
      // Signed in in another tab: leave the login page.
      render();
    }
  }

  return { render, attachRouter, checkSession, wake, handleLogout, handleStatus, handleTokenChange, state };
}
