// The two-step login and re-authentication with a code, through the API client.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore } from '../client/src/token-store.js';
import { createApiClient, ApiError, SecondStepRequired } from '../client/src/api.js';
import { FakeClock, createSharedStorage, createFakeServer } from './fakes.js';

function setup({ mfa = { code: '123456', recoveryCodes: new Set(['abcde-fghjk']) } } = {}) {
  const world = new FakeClock();
  const server = createFakeServer(world);
  server.mfa = mfa;
  const { storage, listen } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view(), listen });
  const logouts = [];
  const api = createApiClient({ fetch: server.fetch, store, clock: world.view(), onLogout: (i) => logouts.push(i) });
  return { world, server, store, api, logouts };
}

test('a right password of an account with a second factor gives a SecondStepRequired and no token', async () => {
  const { api, store } = setup();

  const result = await api.login('alice', 'pw', { remember: false });

  assert.ok(result instanceof SecondStepRequired);
  assert.equal(result.mfaToken, 'mfa-1');
  assert.deepEqual(result.methods, ['totp', 'recovery_code']);
  assert.equal(store.get(), null);
  assert.equal(api.isLoggedIn(), false);
});

test('the code completes the login: the token is stored and the user returned', async () => {
  const { api, store, server } = setup();
  const pending = await api.login('alice', 'pw');

  const user = await api.loginSecondStep(pending.mfaToken, '123456');

  assert.equal(user.username, 'alice');
  assert.ok(store.get());
  assert.equal(api.isLoggedIn(), true);
  const call = server.calls.find((c) => c.path === '/api/auth/login/mfa/');
  assert.equal(call.auth, null); // a public route, never intercepted
});

test('a wrong code rejects with code_invalid and the same token may be tried again', async () => {
  const { api } = setup();
  const pending = await api.login('alice', 'pw');

  const err = await api.loginSecondStep(pending.mfaToken, '000000').catch((e) => e);

  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 401);
  assert.equal(err.code, 'code_invalid');
  assert.equal((await api.loginSecondStep(pending.mfaToken, 'abcde-fghjk')).username, 'alice');
});

test('a used token rejects with mfa_token_invalid', async () => {
  const { api } = setup();
  const pending = await api.login('alice', 'pw');
  await api.loginSecondStep(pending.mfaToken, '123456');

  const err = await api.loginSecondStep(pending.mfaToken, 'abcde-fghjk').catch((e) => e);

  assert.equal(err.code, 'mfa_token_invalid');
});

test('"keep me signed in" is sent with the password step', async () => {
  const { api, server } = setup();

  await api.login('alice', 'pw', { remember: false });

  assert.equal(server.lastLoginBody.remember, false);
});

test('re-authentication takes a code as well as a password', async () => {
  const { api, server, store } = setup();
  const pending = await api.login('alice', 'pw');
  await api.loginSecondStep(pending.mfaToken, 'abcde-fghjk');
  const before = store.get();

  await api.reauthenticate({ code: '123456' });

  assert.notEqual(store.get(), before);
  assert.ok(server.recentTokens.has(store.get()));
  const err = await api.reauthenticate({ code: '123456' }).catch((e) => e); // spent
  assert.equal(err.code, 'code_invalid');
  await api.reauthenticate('pw'); // the password still works, as a plain string too
});

test('the factor routes go through the interceptor', async () => {
  const { api, server } = setup();
  const pending = await api.login('alice', 'pw');
  await api.loginSecondStep(pending.mfaToken, '123456');

  const status = await api.mfaStatus();
  await api.startTotp();
  await api.confirmTotp('654321');
  await api.regenerateRecoveryCodes();
  await api.removeTotp();

  assert.equal(status.enabled, true);
  assert.deepEqual(
    server.calls.filter((c) => c.path.startsWith('/api/auth/mfa/')).map((c) => `${c.method} ${c.path}`),
    [
      'GET /api/auth/mfa/',
      'POST /api/auth/mfa/totp/',
      'POST /api/auth/mfa/totp/confirm/',
      'POST /api/auth/mfa/recovery-codes/',
      'DELETE /api/auth/mfa/totp/',
    ],
  );
  for (const c of server.calls.filter((c) => c.path.startsWith('/api/auth/mfa/'))) assert.ok(c.auth.startsWith('Bearer '));
});

test('an account without a second factor logs in in one step as before', async () => {
  const { api } = setup({ mfa: null });

  const user = await api.login('alice', 'pw');

  assert.equal(user.username, 'alice');
  assert.equal(api.isLoggedIn(), true);
});
