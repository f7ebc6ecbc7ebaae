// Two-step sign-in as one state (the account page, the overview) and what re-authentication may offer.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { twoStepState, secondStepWords, reauthOptions } from '../static/app/two-step-state.js';

const OFF = { enabled: false, totp: { enabled: false }, recovery_codes: { total: 0, remaining: 0 } };
const TOTP = { enabled: true, totp: { enabled: true }, recovery_codes: { total: 10, remaining: 10 } };
// The server's flag with a passkey only: enabled, and no app.
const PASSKEY_ONLY = { enabled: true, totp: { enabled: false }, recovery_codes: { total: 0, remaining: 0 } };
const PASSKEY = [{ id: 'p1', name: 'Laptop' }];

test('a passkey alone is two-step sign-in "On", not "Off"', () => {
  // Repro: with a passkey (asked for at every sign-in) the account page said two-step sign-in was "Off".
  const state = twoStepState(PASSKEY_ONLY, PASSKEY);

  assert.equal(state.on, true);
  assert.equal(state.summary, 'On: a passkey');
  assert.equal(secondStepWords(state), 'your passkey');
});

test('each factor is named', () => {
  assert.equal(twoStepState(TOTP, []).summary, 'On: authenticator app');
  assert.equal(twoStepState(TOTP, [...PASSKEY, { id: 'p2' }]).summary, 'On: authenticator app and 2 passkeys');
  assert.equal(
    secondStepWords(twoStepState(TOTP, [...PASSKEY, { id: 'p2' }])),
    'a code from your authenticator app or one of your passkeys',
  );
});

test('no factor is "Off"', () => {
  const state = twoStepState(OFF, []);

  assert.equal(state.on, false);
  assert.equal(state.summary, 'Off');
});

test('the passkeys listed count even before the server’s flag is read again', () => {
  assert.equal(twoStepState(OFF, PASSKEY).on, true);
});

test('re-authentication offers a passkey only to an account that has one', () => {
  // Repro: "Use a passkey instead" was offered to an account without a passkey (400 no_passkey).
  assert.deepEqual(reauthOptions(OFF, []), { code: null, passkey: false });
  assert.deepEqual(reauthOptions(TOTP, []), { code: 'totp', passkey: false });
  assert.deepEqual(reauthOptions(PASSKEY_ONLY, PASSKEY), { code: null, passkey: true });
});

test('re-authentication offers a recovery code to a passkey account that has codes, and no app code', () => {
  const withCodes = { ...PASSKEY_ONLY, recovery_codes: { total: 10, remaining: 3 } };

  assert.deepEqual(reauthOptions(withCodes, PASSKEY), { code: 'recovery', passkey: true });
});

test('no passkey is offered where this browser or server cannot use one', () => {
  assert.deepEqual(reauthOptions(PASSKEY_ONLY, PASSKEY, { passkeysUsable: false }), { code: null, passkey: false });
});
