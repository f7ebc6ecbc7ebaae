// The capabilities the app reads at start (GET /api/auth/config/).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readCapabilities } from '../static/app/capabilities.js';
import { FakeClock } from './fakes.js';

test('the server’s answer says what to offer', async () => {
  const clock = new FakeClock();
  const api = { config: async () => ({ signup: true, password_reset: false, passkeys: false, login_by_code: false, email_verification: 'mandatory', trust_device_days: 7 }) };

  const caps = await readCapabilities({ api, clock, signupEnabled: true });

  assert.deepEqual(caps, { signup: true, passwordReset: false, passkeys: false, loginByCode: false, emailVerification: 'mandatory', trustDeviceDays: 7 });
});

test('without an answer everything known is offered, and sign-up as the page says', async () => {
  const clock = new FakeClock();
  const api = { config: async () => { throw new TypeError('Failed to fetch'); } };

  const caps = await readCapabilities({ api, clock, signupEnabled: false });

  assert.deepEqual(caps, { signup: false, passwordReset: true, passkeys: true, loginByCode: true, emailVerification: 'optional', trustDeviceDays: 30 });
});

test('a server that does not answer in time does not hold the app up', async () => {
  const clock = new FakeClock();
  const api = { config: () => new Promise(() => {}) };

  const pending = readCapabilities({ api, clock, signupEnabled: true, timeoutMs: 5000 });
  await clock.advance(5000);

  assert.deepEqual(await pending, { signup: true, passwordReset: true, passkeys: true, loginByCode: true, emailVerification: 'optional', trustDeviceDays: 30 });
});
