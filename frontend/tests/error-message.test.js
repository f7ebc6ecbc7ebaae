// errorMessage(): the server's own reason when Gatehouse answered, "can't be reached" only when it did not.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createApiClient, errorMessage } from '../client/src/api.js';
import { createTokenStore } from '../client/src/token-store.js';
import { FakeClock, createSharedStorage, fakeResponse } from './fakes.js';

const UNREACHABLE = 'Gatehouse can’t be reached right now. Check your connection and try again.';

/** A public request (no token) answered by `answer`: the message a page would show. */
async function messageFor(answer) {
  const world = new FakeClock();
  const { storage, listen } = createSharedStorage().area();
  const store = createTokenStore({ storage, clock: world.view(), listen });
  const fetch = async () => (typeof answer === 'function' ? answer() : answer);
  const api = createApiClient({ fetch, store, clock: world.view() });
  try {
    await api.passkeyLoginOptions();
  } catch (err) {
    return errorMessage(err);
  }
  throw new Error('the request did not fail');
}

function htmlResponse(status, text) {
  return {
    status,
    ok: false,
    headers: new Headers({ 'Content-Type': 'text/html' }),
    json: async () => {
      throw new SyntaxError('not JSON');
    },
    text: async () => text,
  };
}

test('a 503 passkeys_unavailable shows the server’s reason, not "can’t be reached"', async () => {
  // Repro: on `make run` (127.0.0.1) "Sign in with a passkey" said "Check your connection".
  const detail = 'Passkeys are not set up on this server: it needs SITE_URL (or WEBAUTHN_RP_ID) naming a domain, not an IP address.';

  const message = await messageFor(fakeResponse(503, { detail, code: 'passkeys_unavailable' }));

  assert.equal(message, detail);
});

test('a 503 "not set up on this server" from the reset shows that reason', async () => {
  // Repro: without EMAIL_URL, "Forgot password" said "Check your connection".
  const detail = 'Password reset by email is not set up on this server.';

  assert.equal(await messageFor(fakeResponse(503, { detail, code: 'recovery_unavailable' })), detail);
});

test('a 500 with Gatehouse’s JSON body shows its detail', async () => {
  assert.equal(await messageFor(fakeResponse(500, { detail: 'A server error occurred.', code: 'error' })), 'A server error occurred.');
});

test('a network failure is "can’t be reached"', async () => {
  const message = await messageFor(() => {
    throw new TypeError('Failed to fetch');
  });

  assert.equal(message, UNREACHABLE);
});

for (const status of [502, 504]) {
  test(`a proxy’s HTML ${status} is "can’t be reached", not its page`, async () => {
    const message = await messageFor(htmlResponse(status, '<html><body><h1>502 Bad Gateway</h1>nginx</body></html>'));

    assert.equal(message, UNREACHABLE);
  });
}

test('a 5xx whose JSON has no detail is "can’t be reached"', async () => {
  assert.equal(await messageFor(fakeResponse(503, {})), UNREACHABLE);
});

test('a 429 still asks to wait', async () => {
  assert.equal(await messageFor(fakeResponse(429, { detail: 'Slow down.', code: 'throttled' })), 'Too many attempts. Try again shortly.');
});
