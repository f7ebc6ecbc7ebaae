// The API client's passkey calls: passwordless sign-in opens a session like a login; a passkey re-authenticates.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore } from '../client/src/token-store.js';
import { createApiClient } from '../client/src/api.js';
import { FakeClock, createSharedStorage, createFakeServer, fakeResponse } from './fakes.js';

const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);

function setup() {
  const world = new FakeClock(T0);
  const server = createFakeServer(world, { ttl: 300 });
  const sent = [];
  // The fake server, plus the passkey routes it does not know.
  const fetch = async (url, init = {}) => {
    const path = String(url);
    const headers = new Headers(init.headers || {});
    sent.push({ path, method: init.method || 'GET', auth: headers.get('Authorization'), body: init.body ? JSON.parse(init.body) : null });
    const date = { Date: server.dateHeader() };
    if (path === '/api/auth/login/passkey/options/') return fakeResponse(200, { challenge: 'AAAA', rpId: 'localhost' }, date);
    if (path === '/api/auth/login/passkey/') {
      return fakeResponse(200, { access: server.issue(), token_type: 'Bearer', expires_in: 300, user: { username: 'alice' } }, date);
    }
    if (path === '/api/auth/reauthenticate/' && headers.get('Authorization') && JSON.parse(init.body).credential) {
      return fakeResponse(200, { access: server.issue(), token_type: 'Bearer', expires_in: 300 }, date);
    }
    return server.fetch(url, init);
  };
  const { storage, listen } = createSharedStorage().area();
  const clock = world.view(0);
  const store = createTokenStore({ storage, clock, listen });
  const api = createApiClient({ fetch, store, clock, random: () => 0.5 });
  return { api, store, sent };
}

test('passwordless sign-in: public options, then the credential posted without a Bearer token; the session starts', async () => {
  const { api, store, sent } = setup();
  const options = await api.passkeyLoginOptions();
  assert.deepEqual(options, { challenge: 'AAAA', rpId: 'localhost' });

  const user = await api.loginWithPasskey({ id: 'x' }, { remember: false });

  assert.deepEqual(user, { username: 'alice' });
  assert.ok(store.get());
  assert.equal(api.isLoggedIn(), true);
  const [first, second] = sent;
  assert.equal(first.auth, null);
  assert.deepEqual(second, { path: '/api/auth/login/passkey/', method: 'POST', auth: null, body: { credential: { id: 'x' }, remember: false } });
});

test('re-authentication with a passkey posts the credential with the Bearer token and keeps the new token', async () => {
  const { api, store, sent } = setup();
  await api.login('alice', 'pw');
  const before = store.get();

  await api.reauthenticateWithPasskey({ id: 'y' });

  const call = sent.at(-1);
  assert.equal(call.path, '/api/auth/reauthenticate/');
  assert.equal(call.auth, `Bearer ${before}`);
  assert.deepEqual(call.body, { credential: { id: 'y' } });
  assert.notEqual(store.get(), before);
});

test('the passkey routes of the account page', async () => {
  const { api, sent } = setup();
  await api.login('alice', 'pw');
  await api.passkeys();
  await api.passkeyRegistrationOptions();
  await api.registerPasskey({ id: 'z' }, 'Laptop');
  await api.renamePasskey('id/1', 'Phone');
  await api.removePasskey('id/1');
  await api.passkeyReauthenticationOptions();

  assert.deepEqual(sent.slice(1).map((c) => [c.method, c.path, c.body]), [
    ['GET', '/api/auth/passkeys/', null],
    ['POST', '/api/auth/passkeys/options/', null],
    ['POST', '/api/auth/passkeys/', { credential: { id: 'z' }, name: 'Laptop' }],
    ['PATCH', '/api/auth/passkeys/id%2F1/', { name: 'Phone' }],
    ['DELETE', '/api/auth/passkeys/id%2F1/', null],
    ['POST', '/api/auth/reauthenticate/passkey/options/', null],
  ]);
  assert.ok(sent.slice(1).every((c) => c.auth && c.auth.startsWith('Bearer ')));
});
