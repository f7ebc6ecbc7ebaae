import { test } from 'node:test';
import assert from 'node:assert/strict';

import { resolve, safeNext, matchRoute, normalizePath, loginUrl, enrolmentUrl, createRouter } from '../static/app/router.js';

const anon = { authenticated: false, user: null, signupEnabled: true };
const alice = { authenticated: true, user: { id: 1, username: 'alice', is_staff: false }, signupEnabled: true };
const admin = { authenticated: true, user: { id: 2, username: 'root', is_staff: true }, signupEnabled: true };

test('paths are normalised and matched', () => {
  assert.equal(normalizePath('/sessions/'), '/sessions');
  assert.equal(normalizePath(''), '/');
  assert.equal(normalizePath('/'), '/');
  assert.equal(matchRoute('/account/').name, 'account');
  assert.equal(matchRoute('/nope'), null);
});

test('an unauthenticated visit to a protected page goes to login, remembering the page', () => {
  assert.deepEqual(resolve({ pathname: '/sessions', search: '' }, anon), { kind: 'redirect', to: '/login?next=%2Fsessions' });
  assert.deepEqual(resolve({ pathname: '/staff', search: '?page=2' }, anon), { kind: 'redirect', to: '/login?next=%2Fstaff%3Fpage%3D2' });
  assert.deepEqual(resolve({ pathname: '/', search: '' }, anon), { kind: 'redirect', to: '/login' });
  assert.equal(loginUrl('/account/'), '/login?next=%2Faccount');
});

test('after login the user goes back to the page first asked for', () => {
  assert.deepEqual(resolve({ pathname: '/login', search: '?next=%2Fsessions' }, alice), { kind: 'redirect', to: '/sessions' });
  assert.deepEqual(resolve({ pathname: '/login', search: '' }, alice), { kind: 'redirect', to: '/' });
  assert.deepEqual(resolve({ pathname: '/signup', search: '?next=%2Faccount' }, alice), { kind: 'redirect', to: '/account' });
});

test('next never leads off the site or back to a guest page', () => {
  for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', null, '/login', '/signup?x=1', '/a\nb']) {
    assert.equal(safeNext(bad), '/', String(bad));
  }
  assert.equal(safeNext('/sessions?x=1#y'), '/sessions?x=1#y');
});

test('guest pages render for guests; sign-up only when enabled', () => {
  assert.equal(resolve({ pathname: '/login' }, anon).kind, 'render');
  assert.equal(resolve({ pathname: '/signup' }, anon).route.name, 'signup');
  assert.deepEqual(resolve({ pathname: '/signup', search: '?next=%2F' }, { ...anon, signupEnabled: false }), {
    kind: 'redirect',
    to: '/login?next=%2F',
  });
});

test('the staff page is for staff only', () => {
  assert.equal(resolve({ pathname: '/staff' }, alice).kind, 'forbidden');
  assert.equal(resolve({ pathname: '/staff' }, admin).kind, 'render');
});

test('unknown paths: not found when signed in, login otherwise', () => {
  assert.deepEqual(resolve({ pathname: '/nope' }, alice), { kind: 'not-found' });
  assert.equal(resolve({ pathname: '/nope' }, anon).kind, 'redirect');
});

test('createRouter pushes history and intercepts plain clicks on data-link anchors only', () => {
  const loc = new URL('http://app.test/');
  const location = {
    get pathname() {
      return loc.pathname;
    },
    get search() {
      return loc.search;
    },
    get hash() {
      return loc.hash;
    },
    get href() {
      return loc.href;
    },
    origin: 'http://app.test',
  };
  const history = {
    entries: [],
    pushState(_s, _t, url) {
      this.entries.push(['push', url]);
      loc.href = new URL(url, loc).href;
    },
    replaceState(_s, _t, url) {
      this.entries.push(['replace', url]);
      loc.href = new URL(url, loc).href;
    },
  };
  let changes = 0;
  const router = createRouter({ history, location, onChange: () => changes++ });
  router.navigate('/sessions');
  assert.deepEqual(router.current(), { pathname: '/sessions', search: '', hash: '' });
  router.navigate('/login?next=%2F', { replace: true });
  assert.deepEqual(history.entries, [
    ['push', '/sessions'],
    ['replace', '/login?next=%2F'],
  ]);
  assert.equal(changes, 2);

  const anchor = (href, attrs = {}) => ({
    target: attrs.target || '',
    getAttribute: (n) => (n === 'href' ? href : null),
    hasAttribute: (n) => n in attrs,
  });
  const click = (a, extra = {}) => {
    const ev = {
      defaultPrevented: false,
      button: 0,
      target: { closest: () => a },
      preventDefault() {
        this.defaultPrevented = true;
      },
      ...extra,
    };
    router.handleClick(ev);
    return ev.defaultPrevented;
  };
  assert.equal(click(anchor('/account')), true);
  assert.equal(router.current().pathname, '/account');
  assert.equal(click(anchor('/account'), { ctrlKey: true }), false);
  assert.equal(click(anchor('https://elsewhere.example/')), false);
  assert.equal(click(anchor('/x', { target: '_blank' })), false);
  assert.equal(click(null), false);
});

test('forgot-password is a guest page; a reset link opens whether or not the browser is signed in', () => {
  assert.equal(resolve({ pathname: '/forgot-password' }, anon).route.name, 'forgotPassword');
  assert.equal(resolve({ pathname: '/forgot-password' }, alice).kind, 'redirect');
  for (const who of [anon, alice]) {
    const decision = resolve({ pathname: '/reset-password', search: '?token=abc' }, who);
    assert.equal(decision.kind, 'render');
    assert.equal(decision.route.name, 'resetPassword');
  }
  assert.equal(safeNext('/reset-password?token=abc'), '/');
  assert.equal(safeNext('/forgot-password'), '/');
});

test('a verification link opens whether or not the browser is signed in, and is never a place to return to', () => {
  for (const who of [anon, alice]) {
    const decision = resolve({ pathname: '/verify-email', search: '?token=abc' }, who);
    assert.equal(decision.kind, 'render');
    assert.equal(decision.route.name, 'verifyEmail');
  }
  assert.equal(safeNext('/verify-email?token=abc'), '/');
});

test('enrolment forced: every page of a session that must enrol leads to the account page, remembering where it went', () => {
  const held = { authenticated: true, user: { id: 1, is_staff: true, mfa_enrollment_required: true } };
  assert.deepEqual(resolve({ pathname: '/sessions' }, held), { kind: 'redirect', to: '/account?next=%2Fsessions' });
  assert.deepEqual(resolve({ pathname: '/staff', search: '?q=a' }, held), { kind: 'redirect', to: '/account?next=%2Fstaff%3Fq%3Da' });
  assert.deepEqual(resolve({ pathname: '/' }, held), { kind: 'redirect', to: '/account' });
  assert.equal(resolve({ pathname: '/account', search: '?next=%2Fsessions' }, held).kind, 'render');
  // once enrolled, the page it was going to
  const enrolled = { authenticated: true, user: { id: 1, is_staff: true, mfa_enrollment_required: false } };
  assert.equal(resolve({ pathname: '/sessions' }, enrolled).kind, 'render');
  assert.equal(enrolmentUrl('/sessions/'), '/account?next=%2Fsessions');
});
