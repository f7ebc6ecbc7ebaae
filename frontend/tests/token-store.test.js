import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore, decodeJwt, TOKEN_KEY, META_KEY } from '../client/src/token-store.js';
import { FakeClock, createSharedStorage, makeJwt, flush } from './fakes.js';

const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);

function token(iatMs, ttl = 300, extra = {}) {
  const iat = Math.floor(iatMs / 1000);
  return makeJwt({ token_type: 'access', user_id: 7, sid: 's', jti: `j${iat}`, iat, exp: iat + ttl, ...extra }, `sig${iat}`);
}

test('decodeJwt reads the payload and rejects garbage', () => {
  const t = token(T0);
  assert.equal(decodeJwt(t).user_id, 7);
  assert.equal(decodeJwt('nope'), null);
  assert.equal(decodeJwt('a.!!!.c'), null);
  assert.equal(decodeJwt(null), null);
  assert.equal(decodeJwt(makeJwt([1, 2])), null);
});

test('decodeJwt handles UTF-8 and base64url padding', () => {
  const t = makeJwt({ name: 'Zoë 😀', x: 'a?b>c' });
  assert.equal(decodeJwt(t).name, 'Zoë 😀');
});

test('the raw JWT is stored under access_token', () => {
  const world = new FakeClock(T0);
  const { storage } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view() });
  const t = token(T0);
  store.set(t, { expiresIn: 300, serverDate: new Date(T0).toUTCString() });
  assert.equal(storage.getItem(TOKEN_KEY), t);
  assert.equal(store.get(), t);
  store.clear();
  assert.equal(storage.getItem(TOKEN_KEY), null);
  assert.equal(store.get(), null);
});

test('expiry is judged by the server clock when the client clock is off by two hours', () => {
  for (const skew of [2 * 3600_000, -2 * 3600_000]) {
    const world = new FakeClock(T0);
    const { storage } = createSharedStorage().area();
    const store = createTokenStore({ storage, clock: world.view(skew) });
    const t = token(T0);
    store.set(t, { expiresIn: 300, serverDate: new Date(T0).toUTCString() });
    assert.equal(store.timeLeft(), 300_000);
    assert.equal(store.isExpiring(t, 30_000), false);
    world.t += 269_000;
    assert.equal(store.isExpiring(t, 30_000), false);
    world.t += 2_000;
    assert.equal(store.isExpiring(t, 30_000), true);
    assert.equal(store.lifetime(), 300_000);
  }
});

test('the offset falls back to iat when there is no Date header', () => {
  const world = new FakeClock(T0);
  const { storage } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view(-5000_000) });
  store.set(token(T0), { expiresIn: 300 });
  assert.equal(store.serverNow(), T0);
  assert.equal(store.timeLeft(), 300_000);
});

test('a token without exp expires after expires_in from receipt', () => {
  const world = new FakeClock(T0);
  const { storage } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view(777_000) });
  const t = makeJwt({ user_id: 1 }, 'opaque-signature-1');
  store.set(t, { expiresIn: 60, serverDate: new Date(T0).toUTCString() });
  assert.equal(store.timeLeft(), 60_000);
  world.t += 45_000;
  assert.equal(store.isExpiring(t, 30_000), true);
});

test('a token of unknown expiry is not treated as expiring; a missing one is', () => {
  const world = new FakeClock(T0);
  const { storage } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view() });
  storage.setItem(TOKEN_KEY, 'not-a-jwt');
  assert.equal(store.isExpiring('not-a-jwt', 30_000), false);
  assert.equal(store.isExpiring(null, 30_000), true);
});

test('subscribers hear local changes, and other tabs hear them through storage events', async () => {
  const world = new FakeClock(T0);
  const shared = createSharedStorage();
  const a = shared.area();
  const b = shared.area();
  const storeA = createTokenStore({ storage: a.storage, clock: world.view(), listen: a.listen });
  const storeB = createTokenStore({ storage: b.storage, clock: world.view(), listen: b.listen });
  const seenA = [];
  const seenB = [];
  storeA.subscribe((t, info) => seenA.push([t, info.external]));
  storeB.subscribe((t, info) => seenB.push([t, info.external]));

  const t = token(T0);
  storeA.set(t, { expiresIn: 300, serverDate: new Date(T0).toUTCString() });
  await flush();
  assert.deepEqual(seenA, [[t, false]]);
  assert.deepEqual(seenB, [[t, true]]);
  // Tab B sees the metadata (clock offset) written by tab A.
  assert.equal(storeB.timeLeft(), 300_000);

  storeA.clear();
  await flush();
  assert.deepEqual(seenA.at(-1), [null, false]);
  assert.deepEqual(seenB.at(-1), [null, true]);
  assert.equal(seenB.length, 2);
});

test('storage events for other keys or other storage areas are ignored', async () => {
  const world = new FakeClock(T0);
  const shared = createSharedStorage();
  const a = shared.area();
  const b = shared.area();
  const storeB = createTokenStore({ storage: b.storage, clock: world.view(), listen: b.listen });
  const seen = [];
  storeB.subscribe((t) => seen.push(t));
  a.storage.setItem('something_else', 'x');
  await flush();
  storeB.handleStorageEvent({ key: TOKEN_KEY, storageArea: { other: true } });
  assert.deepEqual(seen, []);
  // storage.clear() in another tab (key null) is a logout.
  a.storage.setItem(TOKEN_KEY, token(T0));
  await flush();
  a.storage.clear();
  await flush();
  assert.equal(seen.length, 2);
  assert.equal(seen[1], null);
});

test('metadata is written before the token, so another tab never sees a token without it', async () => {
  const world = new FakeClock(T0);
  const shared = createSharedStorage();
  const a = shared.area();
  const order = [];
  const orig = a.storage.setItem;
  a.storage.setItem = (k, v) => {
    order.push(k);
    orig(k, v);
  };
  const store = createTokenStore({ storage: a.storage, clock: world.view() });
  store.set(token(T0), { expiresIn: 300 });
  assert.deepEqual(order, [META_KEY, TOKEN_KEY]);
});

test('a storage that throws does not break the store', () => {
  const world = new FakeClock(T0);
  const broken = {
    getItem() {
      throw new Error('SecurityError');
    },
    setItem() {
      throw new Error('QuotaExceeded');
    },
    removeItem() {
      throw new Error('SecurityError');
    },
  };
  const store = createTokenStore({ storage: broken, clock: world.view() });
  assert.equal(store.get(), null);
  store.set(token(T0), { expiresIn: 300 });
  store.clear();
  assert.equal(store.isExpiring(undefined, 0), true);
});
