// A 403 reauthentication_required names what a re-authentication may use
// (`methods`): the API client hands that answer to onReauthRequired, so the
// "Confirm it's you" dialog asks for a code or a passkey, not the password,
// when a second factor is being changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore } from '../client/src/token-store.js';
import { createApiClient, ApiError } from '../client/src/api.js';
import { FakeClock, createSharedStorage, createFakeServer, fakeResponse } from './fakes.js';

const T0 = Date.UTC(2030, 0, 1);

test('onReauthRequired receives the 403 with the methods the server accepts', async () => {
  const world = new FakeClock(T0);
  const server = createFakeServer(world, { ttl: 300 });
  const fetch = async (url, init = {}) => {
    if (String(url).endsWith('/api/auth/mfa/totp/') && init.method === 'DELETE') {
      return fakeResponse(403, {
        detail: 'Confirm it is you with your second factor.',
        code: 'reauthentication_required',
        methods: ['totp', 'recovery_code'],
      });
    }
    return server.fetch(url, init);
  };
  const { storage, listen } = createSharedStorage().area();
  const clock = world.view(0);
  const seen = [];
  const api = createApiClient({
    fetch,
    store: createTokenStore({ storage, clock, listen }),
    clock,
    onReauthRequired: async (err) => {
      seen.push(err);
      return false;
    },
  });
  await api.login('alice', 'pw');

  const err = await api.removeTotp().catch((e) => e);

  assert.ok(err instanceof ApiError && err.code === 'reauthentication_required');
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof ApiError);
  assert.deepEqual(seen[0].body.methods, ['totp', 'recovery_code']);
});
