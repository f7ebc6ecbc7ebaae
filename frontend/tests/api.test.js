import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore } from '../client/src/token-store.js';
import { createApiClient, ApiError, AuthError, TransientError, parseRetryAfter, errorMessage } from '../client/src/api.js';
import { FakeClock, createSharedStorage, createFakeLocks, createFakeServer, fakeResponse, flush, makeJwt } from './fakes.js';

const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);
const TTL = 300;

function setup({ skew = 0, locks = createFakeLocks(), shared = createSharedStorage(), world, server, ...opts } = {}) {
  world = world || new FakeClock(T0);
  server = server || createFakeServer(world, { ttl: TTL });
  return { world, server, shared, locks, tab: makeTab({ world, server, shared, locks, skew, ...opts }) };
}

function makeTab({ world, server, shared, locks, skew = 0, ...opts }) {
  const { storage, listen } = shared.area();
  const clock = world.view(skew);
  const store = createTokenStore({ storage, clock, listen });
  const logouts = [];
  const statuses = [];
  const sleeps = [];
  const api = createApiClient({
    fetch: server.fetch,
    store,
    clock,
    locks,
    onLogout: (info) => logouts.push(info),
    onStatus: (info) => statuses.push(info),
    random: () => 0.5, // no jitter
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((resolve) => clock.setTimeout(resolve, ms));
    },
    ...opts,
  });
  return { storage, store, api, clock, logouts, statuses, sleeps };
}

const burst = (api, n, prefix = '/api/things/') =>
  Promise.all(Array.from({ length: n }, (_, i) => api.request(`${prefix}${i}/`)));

test('a fresh token is sent as a Bearer header without any refresh', async () => {
  const { tab, server } = setup();
  await tab.api.login('alice', 'pw');
  const body = await tab.api.request('/api/things/1/');
  assert.deepEqual(body, { ok: true, path: '/api/things/1/' });
  const call = server.calls.at(-1);
  assert.equal(call.auth, `Bearer ${tab.store.get()}`);
  assert.equal(server.refreshCalls, 0);
});

test('login and refresh calls are never sent with a Bearer token (never intercepted)', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  await tab.api.request('/api/things/1/');
  for (const c of server.calls.filter((c) => c.path.startsWith('/api/auth/login') || c.path.startsWith('/api/auth/refresh'))) {
    assert.equal(c.auth, null);
  }
  assert.equal(server.refreshCalls, 1);
});

test('burst of 20 requests with an expired token: exactly one refresh, all 20 sent with the new token', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  const old = tab.store.get();
  await world.advance((TTL + 1) * 1000);
  const results = await burst(tab.api, 20);
  assert.equal(results.length, 20);
  assert.equal(server.refreshCalls, 1);
  const fresh = tab.store.get();
  assert.notEqual(fresh, old);
  const sent = server.calls.filter((c) => c.path.startsWith('/api/things/'));
  assert.equal(sent.length, 20);
  for (const c of sent) assert.equal(c.token, fresh);
  assert.equal(server.expiredSeen, 0);
  assert.deepEqual(tab.logouts, []);
});

test('the token is refreshed before the request when less than 30 s are left, not earlier', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL - 31) * 1000);
  await tab.api.request('/api/things/1/');
  assert.equal(server.refreshCalls, 0);
  await world.advance(2000); // 29 s left
  await tab.api.request('/api/things/2/');
  assert.equal(server.refreshCalls, 1);
  assert.equal(server.calls.at(-1).token, tab.store.get());
  assert.equal(server.calls.at(-2).path, '/api/auth/refresh/');
});

test('refresh answered 401: token cleared, one logout, no loop, every waiting request fails with AuthError', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  server.refreshPlan.push(401);
  const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => tab.api.request(`/api/x/${i}/`)));
  for (const r of settled) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof AuthError);
  }
  assert.equal(server.refreshCalls, 1);
  assert.equal(tab.store.get(), null);
  assert.deepEqual(tab.logouts, [{ reason: 'session_expired' }]);
  assert.equal(server.calls.filter((c) => c.path.startsWith('/api/x/')).length, 0);

  // Afterwards: no token, no network, no second logout.
  const before = server.calls.length;
  await assert.rejects(tab.api.request('/api/x/again/'), AuthError);
  assert.equal(server.calls.length, before);
  await world.advance(60_000);
  assert.equal(server.refreshCalls, 1);
  assert.equal(tab.logouts.length, 1);
});

test('a session revoked elsewhere: secured 401, then refresh 401 -> one logout', async () => {
  const { tab, server } = setup();
  await tab.api.login('alice', 'pw');
  server.sessionRevoked = true;
  await assert.rejects(tab.api.request('/api/auth/me/'), AuthError);
  assert.equal(server.refreshCalls, 1);
  assert.deepEqual(tab.logouts, [{ reason: 'session_expired' }]);
  assert.equal(tab.store.get(), null);
});

test('late 401: retried once after one refresh; a second 401 is returned, not refreshed again', async () => {
  const { tab, server } = setup();
  await tab.api.login('alice', 'pw');
  const first = tab.store.get();
  server.rejectToken(first);
  const body = await tab.api.request('/api/things/1/');
  assert.equal(body.ok, true);
  assert.equal(server.refreshCalls, 1);
  const sent = server.calls.filter((c) => c.path === '/api/things/1/');
  assert.deepEqual(
    sent.map((c) => c.token),
    [first, tab.store.get()],
  );

  // Every token is rejected now: exactly one retry, one refresh, then the 401 is returned.
  server.rejectAll = true;
  const err = await tab.api.request('/api/things/2/').catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 401);
  assert.equal(server.calls.filter((c) => c.path === '/api/things/2/').length, 2);
  assert.equal(server.refreshCalls, 2);
  assert.deepEqual(tab.logouts, []);
});

test('a 401 for a token that is no longer current is retried with the current token, without refreshing', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  const first = tab.store.get();
  server.rejectToken(first);
  // Hold the first request's response until the token was replaced.
  const realFetch = server.fetch;
  let releaseFirst;
  const held = new Promise((r) => (releaseFirst = r));
  let n = 0;
  const fetchSpy = async (url, init) => {
    if (String(url).endsWith('/slow/') && n++ === 0) {
      const res = await realFetch(url, init);
      await held;
      return res;
    }
    return realFetch(url, init);
  };
  const tab2 = makeTab({ world, server: { ...server, fetch: fetchSpy }, shared: createSharedStorage(), locks: null });
  tab2.store.set(first, { expiresIn: TTL, serverDate: server.dateHeader() });
  const slow = tab2.api.request('/api/slow/');
  await flush();
  await tab2.api.refresh(); // the token is replaced meanwhile
  assert.equal(server.refreshCalls, 1);
  releaseFirst();
  const body = await slow;
  assert.equal(body.ok, true);
  assert.equal(server.refreshCalls, 1);
  const sent = server.calls.filter((c) => c.path === '/api/slow/');
  assert.deepEqual(
    sent.map((c) => c.token),
    [first, tab2.store.get()],
  );
});

test('network error and 503 during refresh: no logout, backoff, then success', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  server.refreshPlan.push('network', 503, 'network');
  let done = false;
  const p = burst(tab.api, 5).then((r) => {
    done = true;
    return r;
  });
  await flush();
  assert.equal(done, false);
  assert.equal(server.refreshCalls, 1);
  await world.advance(1000);
  assert.equal(server.refreshCalls, 2);
  await world.advance(2000);
  assert.equal(server.refreshCalls, 3);
  await world.advance(4000);
  const results = await p;
  assert.equal(results.length, 5);
  assert.equal(server.refreshCalls, 4);
  assert.deepEqual(tab.sleeps, [1000, 2000, 4000]);
  assert.deepEqual(tab.logouts, []);
  assert.ok(tab.store.get());
  assert.deepEqual(
    tab.statuses.map((s) => s.state),
    ['retrying', 'retrying', 'retrying', 'ok'],
  );
  assert.ok(tab.statuses[0].error instanceof TransientError);
});

test('429 during refresh honours Retry-After and is not a logout', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  server.refreshPlan.push({ status: 429, headers: { 'Retry-After': '7' } });
  const p = tab.api.request('/api/things/1/');
  await world.advance(6999);
  assert.equal(server.refreshCalls, 1);
  await world.advance(1);
  assert.equal((await p).ok, true);
  assert.equal(server.refreshCalls, 2);
  assert.deepEqual(tab.sleeps, [7000]);
  assert.deepEqual(tab.logouts, []);
});

test('when the server stays away the refresh gives up with TransientError, keeping the token', async () => {
  const { tab, server, world } = setup({ backoff: { initialMs: 1000, maxMs: 4000, maxAttempts: 4 } });
  await tab.api.login('alice', 'pw');
  const token = tab.store.get();
  await world.advance((TTL + 1) * 1000);
  server.refreshPlan.push(503, 503, 503, 503);
  const p = tab.api.request('/api/things/1/').catch((e) => e);
  await world.advance(60_000);
  const err = await p;
  assert.ok(err instanceof TransientError);
  assert.equal(server.refreshCalls, 4);
  assert.deepEqual(tab.sleeps, [1000, 2000, 4000]);
  assert.equal(tab.statuses.at(-1).state, 'offline');
  assert.equal(tab.store.get(), token);
  assert.deepEqual(tab.logouts, []);
  // The next request tries again and recovers.
  const ok = await tab.api.request('/api/things/2/');
  assert.equal(ok.ok, true);
  assert.equal(tab.statuses.at(-1).state, 'ok');
});

for (const [label, skew] of [
  ['ahead', 2 * 3600_000],
  ['behind', -2 * 3600_000],
]) {
  test(`client clock two hours ${label}: one refresh per token lifetime, no early logout, no expired token sent`, async () => {
    const { tab, server, world } = setup({ skew });
    await tab.api.login('alice', 'pw');
    const minutes = 30;
    for (let s = 0; s < minutes * 60; s += 10) {
      await tab.api.request('/api/things/tick/');
      await world.advance(10_000);
    }
    // Each token serves (TTL - 30 s) before it is renewed: 1800 / 270 -> 6 refreshes.
    const expected = Math.floor((minutes * 60) / (TTL - 30));
    assert.ok(server.refreshCalls <= expected, `refreshes: ${server.refreshCalls}`);
    assert.ok(server.refreshCalls >= expected - 1, `refreshes: ${server.refreshCalls}`);
    assert.equal(server.expiredSeen, 0);
    assert.deepEqual(tab.logouts, []);
  });
}

test('logout during an in-flight refresh wins: the result is discarded', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  const release = server.holdRefresh();
  const pending = Promise.allSettled([tab.api.request('/api/things/1/'), tab.api.request('/api/things/2/')]);
  await flush();
  assert.equal(server.refreshCalls, 1);
  await tab.api.logout();
  assert.equal(tab.store.get(), null);
  release();
  const results = await pending;
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    assert.ok(r.reason instanceof AuthError);
  }
  await flush();
  assert.equal(tab.store.get(), null, 'the refreshed token must not be stored');
  assert.deepEqual(tab.logouts, [{ reason: 'logout' }]);
  assert.equal(server.calls.filter((c) => c.path.startsWith('/api/things/')).length, 0);
  // The explicit logout, plus one for the cookie the discarded refresh rotated.
  assert.equal(server.logoutCalls, 2);
});

/** Two tabs of one browser: one clock, one server, one localStorage, one lock manager. */
function twoTabs() {
  const world = new FakeClock(T0);
  const server = createFakeServer(world, { ttl: TTL });
  const shared = createSharedStorage();
  const locks = createFakeLocks();
  return { world, server, a: makeTab({ world, server, shared, locks }), b: makeTab({ world, server, shared, locks }) };
}

test('a logout in another tab during this tab\'s refresh also wins', async () => {
  const { world, server, a, b } = twoTabs();
  await a.api.login('alice', 'pw');
  await flush();
  await world.advance((TTL + 1) * 1000);
  const release = server.holdRefresh();
  const pending = b.api.request('/api/things/1/').catch((e) => e);
  await flush();
  await a.api.logout();
  await flush();
  release();
  assert.ok((await pending) instanceof AuthError);
  await flush();
  assert.equal(a.store.get(), null);
  assert.equal(b.store.get(), null);
  assert.deepEqual(a.logouts, [{ reason: 'logout' }]);
  assert.deepEqual(b.logouts, [{ reason: 'elsewhere' }]);
});

test('two clients sharing one localStorage and lock manager: one refresh between them', async () => {
  const { world, server, a, b } = twoTabs();
  await a.api.login('alice', 'pw');
  await flush();
  assert.equal(b.store.get(), a.store.get());
  await world.advance((TTL + 1) * 1000);
  const [ra, rb] = await Promise.all([burst(a.api, 10, '/api/a/'), burst(b.api, 10, '/api/b/')]);
  assert.equal(ra.length + rb.length, 20);
  assert.equal(server.refreshCalls, 1);
  const fresh = a.store.get();
  assert.equal(b.store.get(), fresh);
  for (const c of server.calls.filter((c) => /^\/api\/[ab]\//.test(c.path))) assert.equal(c.token, fresh);
  assert.deepEqual([a.logouts, b.logouts], [[], []]);
});

test('a frozen tab holding the lock does not hang the others: the wait is bounded', async () => {
  const { tab, server, world, locks } = setup({ lockTimeoutMs: 5000 });
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  const unfreeze = locks.hold('gatehouse-token-refresh');
  let done = false;
  const p = tab.api.request('/api/things/1/').then((r) => {
    done = true;
    return r;
  });
  await world.advance(4999);
  assert.equal(done, false);
  assert.equal(server.refreshCalls, 0);
  await world.advance(1);
  assert.equal((await p).ok, true);
  assert.equal(server.refreshCalls, 1);
  unfreeze();
});

test('without navigator.locks the single flight per tab still holds', async () => {
  const { tab, server, world } = setup({ locks: null });
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  await burst(tab.api, 20);
  assert.equal(server.refreshCalls, 1);
});

test('a token refreshed by another tab reaches this tab at once (storage event)', async () => {
  const { world, server, a, b } = twoTabs();
  const seen = [];
  b.store.subscribe((t, info) => seen.push(info.external));
  await a.api.login('alice', 'pw');
  await flush();
  await world.advance((TTL + 1) * 1000);
  await a.api.request('/api/a/1/');
  await flush();
  assert.deepEqual(seen, [true, true]);
  await b.api.request('/api/b/1/');
  assert.equal(server.refreshCalls, 1);
});

test('a secured request with no token fails with AuthError and sends nothing', async () => {
  const { tab, server } = setup();
  await assert.rejects(tab.api.request('/api/auth/me/'), AuthError);
  assert.equal(server.calls.length, 0);
  assert.deepEqual(tab.logouts, []);
});

test('logout-all revokes on the server, then logs this tab out', async () => {
  const { tab, server } = setup();
  await tab.api.login('alice', 'pw');
  await tab.api.logoutAll();
  assert.equal(tab.store.get(), null);
  assert.deepEqual(tab.logouts, [{ reason: 'logout_all' }]);
  assert.ok(server.calls.some((c) => c.path === '/api/auth/logout-all/' && c.auth));
  assert.equal(server.logoutCalls, 1);
});

test('logout-others revokes the other sessions on the server and keeps this tab signed in', async () => {
  const { tab, server } = setup();
  await tab.api.login('alice', 'pw');
  await tab.api.logoutOthers();
  assert.ok(server.calls.some((c) => c.path === '/api/auth/logout-others/' && c.method === 'POST' && c.auth));
  assert.notEqual(tab.store.get(), null);
  assert.deepEqual(tab.logouts, []);
});

test('deleting the account signs this tab out with its own reason', async () => {
  const { tab, server } = setup();
  await tab.api.login('alice', 'pw');
  await tab.api.deleteAccount();
  assert.ok(server.calls.some((c) => c.path === '/api/auth/me/' && c.method === 'DELETE' && c.auth));
  assert.equal(tab.store.get(), null);
  assert.deepEqual(tab.logouts, [{ reason: 'account_deleted' }]);
});

test('a refused deletion (the last superuser) keeps the tab signed in and says why', async () => {
  const { tab, server } = setup();
  server.lastSuperuser = true;
  await tab.api.login('alice', 'pw');
  await assert.rejects(tab.api.deleteAccount(), (err) => err instanceof ApiError && err.code === 'last_superuser');
  assert.notEqual(tab.store.get(), null);
  assert.deepEqual(tab.logouts, []);
});

test('API errors carry status, code, detail and field messages', async () => {
  const world = new FakeClock(T0);
  const shared = createSharedStorage();
  const { storage } = shared.area();
  const store = createTokenStore({ storage, clock: world.view() });
  const server = createFakeServer(world);
  const api = createApiClient({
    fetch: async (url, init) => {
      if (String(url).endsWith('/password/')) {
        return new Response(
          JSON.stringify({
            detail: 'Invalid input.',
            code: 'invalid',
            fields: { current_password: ['Wrong password.'] },
          }),
          { status: 400, headers: { 'Content-Type': 'application/json' } },
        );
      }
      return server.fetch(url, init);
    },
    store,
    clock: world.view(),
  });
  await api.login('alice', 'pw');
  const err = await api.changePassword('bad', 'new-password-123').catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 400);
  assert.equal(err.code, 'invalid');
  assert.deepEqual(err.fields, { current_password: ['Wrong password.'] });
});

test('a failed login does not touch the stored token and is an ApiError', async () => {
  const world = new FakeClock(T0);
  const { storage } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view() });
  const api = createApiClient({
    fetch: async () =>
      new Response(JSON.stringify({ detail: 'Invalid username or password.', code: 'invalid_credentials' }), {
        status: 401,
        headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' },
      }),
    store,
    clock: world.view(),
  });
  const err = await api.login('alice', 'nope').catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 'invalid_credentials');
  assert.equal(store.get(), null);
});

test('parseRetryAfter understands seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('5', 0), 5000);
  assert.equal(parseRetryAfter(null, 0), null);
  const now = Date.UTC(2030, 0, 1, 0, 0, 0);
  assert.equal(parseRetryAfter(new Date(now + 3000).toUTCString(), now), 3000);
  assert.equal(parseRetryAfter('garbage', now), null);
});

test('a throttled answer says how long to wait, in words a person reads', () => {
  const throttled = (ms) => new ApiError(429, { detail: 'Throttled', code: 'throttled' }, { retryAfterMs: ms });
  assert.equal(errorMessage(throttled(1000)), 'Too many attempts. Try again in 1 second.');
  assert.equal(errorMessage(throttled(4000)), 'Too many attempts. Try again in 4 seconds.');
  assert.equal(errorMessage(throttled(null)), 'Too many attempts. Try again shortly.');
});

for (const ttl of [2, 20, 60, 90]) {
  test(`a ${ttl} s access token is refreshed once, shortly before it expires, not before every request`, async () => {
    // Repro: with ACCESS_TOKEN_TTL=20 the fixed 30 s margin refreshed 0.1 s after login and before every request.
    const world = new FakeClock(T0);
    const { tab, server } = setup({ world, server: createFakeServer(world, { ttl }) });
    await tab.api.login('alice', 'pw');
    const step = (ttl * 1000) / 10;
    for (let i = 0; i < 6; i += 1) {
      await tab.api.request(`/api/things/${i}/`);
      await world.advance(step);
    }
    assert.equal(server.refreshCalls, 0, 'no refresh while more than a third of the lifetime is left');
    for (let i = 6; i < 10; i += 1) {
      await tab.api.request(`/api/things/${i}/`);
      await world.advance(step);
    }
    assert.equal(server.refreshCalls, 1, 'one refresh in the last third of the lifetime');
    assert.equal(server.expiredSeen, 0);
  });
}

test('after an outage of any length the refresh keeps retrying every 30 s and recovers by itself', async () => {
  // Repro: the banner counted down five retries, said "we'll try again", and never did.
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  server.refreshPlan.push(...Array(20).fill('network'));
  const p = tab.api.request('/api/things/1/');
  await world.advance(10 * 60_000);
  const ok = await p;
  assert.equal(ok.ok, true);
  assert.equal(server.refreshCalls, 21);
  assert.ok(tab.sleeps.every((ms) => ms <= 36_000), 'capped backoff (30 s, jitter included)');
  assert.ok(tab.sleeps.slice(-5).every((ms) => ms >= 24_000));
  assert.ok(!tab.statuses.some((s) => s.state === 'offline'));
  assert.equal(tab.statuses.at(-1).state, 'ok');
  assert.deepEqual(tab.logouts, []);
});

test('retryNow (back online, tab shown again) retries at once instead of waiting out the backoff', async () => {
  const { tab, server, world } = setup();
  await tab.api.login('alice', 'pw');
  await world.advance((TTL + 1) * 1000);
  server.refreshPlan.push(...Array(8).fill(503));
  const p = tab.api.request('/api/things/1/');
  await world.advance(60_000);
  const before = server.refreshCalls;
  assert.ok(before >= 3 && before <= 8);
  server.refreshPlan.length = 0; // the server is back
  tab.api.retryNow();
  await flush();
  assert.equal(server.refreshCalls, before + 1);
  assert.equal((await p).ok, true);
  assert.equal(tab.statuses.at(-1).state, 'ok');
});

test('a route that needs a recent authentication asks once, then retries with the renewed token', async () => {
  let asked = 0;
  let tab;
  const { server, tab: t } = setup({
    onReauthRequired: async () => {
      asked += 1;
      await tab.api.reauthenticate('pw');
      return true;
    },
  });
  tab = t;
  server.needsRecentAuth.add('/api/auth/password/');
  await tab.api.login('alice', 'pw');
  const before = tab.store.get();

  const body = await tab.api.changePassword('old', 'new');

  assert.equal(asked, 1);
  assert.equal(server.reauthCalls, 1);
  assert.deepEqual(body, { ok: true, path: '/api/auth/password/' });
  assert.notEqual(tab.store.get(), before);
  const sent = server.calls.filter((c) => c.path === '/api/auth/password/');
  assert.equal(sent.length, 2);
  assert.equal(sent[1].token, tab.store.get());
});

test('cancelling the re-authentication rejects with the 403, and nothing is retried', async () => {
  const { server, tab } = setup({ onReauthRequired: async () => false });
  server.needsRecentAuth.add('/api/auth/password/');
  await tab.api.login('alice', 'pw');

  const err = await tab.api.changePassword('old', 'new').catch((e) => e);

  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 'reauthentication_required');
  assert.equal(server.calls.filter((c) => c.path === '/api/auth/password/').length, 1);
  assert.deepEqual(tab.logouts, []);
});

test('a second reauthentication_required after re-authenticating is not a loop', async () => {
  let asked = 0;
  const { server, tab } = setup({
    onReauthRequired: async () => {
      asked += 1;
      return true; // claims success without renewing: the server still refuses
    },
  });
  server.needsRecentAuth.add('/api/auth/password/');
  await tab.api.login('alice', 'pw');

  const err = await tab.api.changePassword('old', 'new').catch((e) => e);

  assert.equal(asked, 1);
  assert.equal(err.code, 'reauthentication_required');
});

test('a wrong password on re-authentication is an ApiError with the field message', async () => {
  const { tab } = setup();
  await tab.api.login('alice', 'pw');

  const err = await tab.api.reauthenticate('nope').catch((e) => e);

  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 400);
  assert.deepEqual(err.fields.password, ['Your password is not correct.']);
});

// ---- postAnonymously: the authorize and end-session pages' request while signed out ----

function anonymousSetup(answer, { baseUrl = '' } = {}) {
  const world = new FakeClock(T0);
  const { storage, listen } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view(), listen });
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url: String(url), init, headers: new Headers(init.headers || {}) });
    if (answer === 'network') throw new TypeError('Failed to fetch');
    return fakeResponse(answer.status, answer.body);
  };
  const api = createApiClient({ fetch, store, clock: world.view(), baseUrl });
  return { api, store, calls };
}

test('postAnonymously POSTs the JSON body through the injected fetch, without a token even when signed in', async () => {
  const { api, store, calls } = anonymousSetup({ status: 200, body: { redirect_to: 'https://rp.example/cb?code=x' } });
  store.set(makeJwt({ exp: T0 / 1000 + 300, iat: T0 / 1000 }), { expiresIn: 300 });
  assert.ok(api.isLoggedIn());
  const answer = await api.postAnonymously('/api/auth/oauth/authorize/', { request: 'sealed' });
  assert.deepEqual(answer, { redirect_to: 'https://rp.example/cb?code=x' });
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, '/api/auth/oauth/authorize/');
  assert.equal(calls[0].init.method, 'POST');
  assert.equal(calls[0].init.credentials, 'same-origin');
  assert.equal(calls[0].headers.get('Authorization'), null);
  assert.equal(calls[0].headers.get('Content-Type'), 'application/json');
  assert.equal(calls[0].headers.get('Accept'), 'application/json');
  assert.deepEqual(JSON.parse(calls[0].init.body), { request: 'sealed' });
});

test('postAnonymously goes to Gatehouse\'s origin when the client has a baseUrl', async () => {
  const { api, calls } = anonymousSetup({ status: 200, body: { ask: true } }, { baseUrl: 'https://auth.example.com' });
  await api.postAnonymously('/api/auth/oauth/end-session/', { request: 'sealed', confirm: false });
  assert.equal(calls[0].url, 'https://auth.example.com/api/auth/oauth/end-session/');
});

test('postAnonymously rejects a refusal with the server\'s ApiError, and no answer as a TransientError', async () => {
  const refused = anonymousSetup({ status: 400, body: { detail: 'This sign-in request has expired.', code: 'request_invalid' } });
  await assert.rejects(
    refused.api.postAnonymously('/api/auth/oauth/authorize/', { request: 'old' }),
    (err) => err instanceof ApiError && err.status === 400 && err.code === 'request_invalid',
  );
  const down = anonymousSetup({ status: 503, body: { detail: 'Down for a moment.' } });
  await assert.rejects(
    down.api.postAnonymously('/api/auth/oauth/authorize/', { request: 's' }),
    (err) => err instanceof TransientError && err.status === 503,
  );
  const offline = anonymousSetup('network');
  await assert.rejects(
    offline.api.postAnonymously('/api/auth/oauth/authorize/', { request: 's' }),
    (err) => err instanceof TransientError,
  );
});
