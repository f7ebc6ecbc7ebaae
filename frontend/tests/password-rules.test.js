// The password rules the new-password fields show: the server's, asked for once.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore } from '../client/src/token-store.js';
import { createApiClient } from '../client/src/api.js';
import { FakeClock, createSharedStorage, createFakeServer } from './fakes.js';

const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);

function client() {
  const world = new FakeClock(T0);
  const server = createFakeServer(world);
  const { storage, listen } = createSharedStorage().area();
  const clock = world.view(0);
  const store = createTokenStore({ storage, clock, listen });
  return { server, api: createApiClient({ fetch: server.fetch, store, clock, random: () => 0.5 }) };
}

test('the password rules come from the server, once per page load, without a token', async () => {
  // Repro: the new-password hint was a sentence kept in dom.js, not the server's validators.
  const { server, api } = client();
  const [first, second] = await Promise.all([api.passwordRules(), api.passwordRules()]);
  assert.deepEqual(first, server.passwordRules);
  assert.equal(second, first);
  await api.passwordRules();
  const calls = server.calls.filter((c) => c.path === '/api/auth/password-rules/');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].auth, null);
});

test('password rules that failed to load are asked for again next time', async () => {
  const { server, api } = client();
  server.rulesFailures = 1;
  await assert.rejects(api.passwordRules());
  assert.deepEqual(await api.passwordRules(), server.passwordRules);
});

test('anything but a list of strings is no rules at all', async () => {
  const { server, api } = client();
  server.passwordRules = ['Real rule.', 42, null, { text: 'x' }];
  assert.deepEqual(await api.passwordRules(), ['Real rule.']);
});