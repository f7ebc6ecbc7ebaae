// History API router. The decision logic (resolve) is pure and unit-tested;
// createRouter binds it to history/location, injected by main.js.

export const ROUTES = [
  { path: '/login', name: 'login', access: 'guest', title: 'Sign in' },
  // The code page: a mailed sign-in code (the mail links here with the address in the fragment).
  { path: '/login/code', name: 'loginCode', access: 'guest', title: 'Sign in with a code' },
  { path: '/signup', name: 'signup', access: 'guest', title: 'Create account', needsSignup: true },
  { path: '/forgot-password', name: 'forgotPassword', access: 'guest', title: 'Forgot password' },
  // Public: a reset link works whether or not this browser is signed in.
  { path: '/reset-password', name: 'resetPassword', access: 'public', title: 'Choose a new password' },
  // Public too: a verification or change-of-address link, signed in or not.
  { path: '/verify-email', name: 'verifyEmail', access: 'public', title: 'Confirm your email address' },
  { path: '/', name: 'dashboard', access: 'user', title: 'Overview' },
  { path: '/sessions', name: 'sessions', access: 'user', title: 'Sessions' },
  { path: '/account', name: 'account', access: 'user', title: 'Account' },
  { path: '/staff', name: 'staff', access: 'staff', title: 'Staff' },
  // Gatehouse as an OpenID Provider: an application's sign-in request (consent), its
  // silent (prompt=none) twin, and an application's sign-out request.
  { path: '/authorize', name: 'authorize', access: 'user', title: 'Sign in to an application' },
  { path: '/authorize/silent', name: 'authorizeSilent', access: 'public', title: 'Signing in' },
  { path: '/end-session', name: 'endSession', access: 'public', title: 'Sign out' },
];

/** "/sessions/" -> "/sessions"; "" -> "/". */
export function normalizePath(pathname) {
  let p = String(pathname || '/');
  if (!p.startsWith('/')) p = `/${p}`;
  if (p.length > 1) p = p.replace(/\/+$/, '') || '/';
  return p;
}

export function matchRoute(pathname, routes = ROUTES) {
  const p = normalizePath(pathname);
  return routes.find((r) => r.path === p) || null;
}

/**
 * A same-site path to go to after login, or "/" when `next` is missing or
 * unsafe (absolute URLs, protocol-relative "//host", backslash tricks, the
 * login pages themselves).
 */
export function safeNext(next, routes = ROUTES) {
  if (typeof next !== 'string' || !next) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(next)) return '/';
  const path = next.split(/[?#]/)[0];
  const route = matchRoute(path, routes);
  if (route && (route.access === 'guest' || route.access === 'public')) return '/';
  return next;
}

function nextParam(search) {
  try {
    return new URLSearchParams(search || '').get('next');
  } catch {
    return null;
  }
}

// MFA_REQUIRED: a session of an account without a second factor can only enrol, on the account page.
const ENROLMENT_ROUTE = 'account';

/** The account page, to enrol, remembering where the user was going ("/account?next=…"). */
export function enrolmentUrl(pathname, search = '') {
  const target = normalizePath(pathname) + (search || '');
  return target === '/' ? '/account' : `/account?next=${encodeURIComponent(target)}`;
}

export function loginUrl(pathname, search = '') {
  const target = normalizePath(pathname) + (search || '');
  return target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}

/**
 * Decide what to show for a location.
 * @returns {{kind: 'render', route} | {kind: 'redirect', to: string} | {kind: 'forbidden', route} | {kind: 'not-found'}}
 */
export function resolve({ pathname, search = '' }, { authenticated, user = null, signupEnabled = false }, routes = ROUTES) {
  const route = matchRoute(pathname, routes);
  if (!route) {
    return authenticated ? { kind: 'not-found' } : { kind: 'redirect', to: loginUrl(pathname, search) };
  }
  if (route.access === 'public') return { kind: 'render', route };
  if (route.access === 'guest') {
    if (route.needsSignup && !signupEnabled) {
      return { kind: 'redirect', to: `/login${search || ''}` };
    }
    if (authenticated) return { kind: 'redirect', to: safeNext(nextParam(search), routes) };
    return { kind: 'render', route };
  }
  if (!authenticated) return { kind: 'redirect', to: loginUrl(pathname, search) };
  if (user && user.mfa_enrollment_required && route.name !== ENROLMENT_ROUTE) {
    return { kind: 'redirect', to: enrolmentUrl(pathname, search) };
  }
  if (route.access === 'staff' && !(user && user.is_staff)) return { kind: 'forbidden', route };
  return { kind: 'render', route };
}

/**
 * @param {{history: History, location: Location, onChange: () => void, listen?: (type: string, fn: Function) => void}} deps
 */
export function createRouter({ history, location, onChange, listen }) {
  function current() {
    return { pathname: normalizePath(location.pathname), search: location.search || '', hash: location.hash || '' };
  }

  function navigate(to, { replace = false } = {}) {
    const here = location.pathname + (location.search || '');
    if (replace) history.replaceState(null, '', to);
    else if (to !== here) history.pushState(null, '', to);
    onChange();
  }

  /** Click delegation for <a data-link>: same-origin links change the route without a reload. */
  function handleClick(event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = event.target && event.target.closest ? event.target.closest('a[data-link]') : null;
    if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  }

  function start() {
    if (listen) {
      listen('popstate', () => onChange());
      listen('click', handleClick);
    }
    onChange();
  }

  return { current, navigate, handleClick, start };
}
