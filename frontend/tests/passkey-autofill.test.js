// Passkey autofill (WebAuthn conditional mediation) on the login page: when it starts, what it asks the
// browser for, and how it is aborted.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { startPasskeyAutofill } from '../static/app/passkey-autofill.js';
import { createWebAuthn } from '../client/src/webauthn.js';
import { flush } from './fakes.js';

const OPTIONS = { challenge: 'AQID', rpId: 'localhost', allowCredentials: [], userVerification: 'required' };
const bytes = (...values) => new Uint8Array(values).buffer;
const ASSERTION = {
  id: 'AQI', rawId: bytes(1, 2), type: 'public-key',
  response: { clientDataJSON: bytes(1), authenticatorData: bytes(2), signature: bytes(3), userHandle: bytes(4) },
};

/** navigator.credentials whose get() waits until the test picks a passkey, or is aborted by its signal. */
function fakeBrowser({ conditional = true } = {}) {
  const calls = [];
  let pick = null;
  const credentials = {
    create: async () => { throw new Error('not here'); },
    get: (request) => new Promise((resolve, reject) => {
      calls.push(request);
      pick = () => resolve(ASSERTION);
      if (request.signal) {
        request.signal.addEventListener('abort', () => {
          const error = new Error('aborted');
          error.name = 'AbortError';
          reject(error);
        });
      }
    }),
  };
  const publicKeyCredential = { isConditionalMediationAvailable: async () => conditional };
  return { calls, pickPasskey: () => pick(), webauthn: createWebAuthn({ credentials, supported: true, publicKeyCredential }) };
}

function fakeApi() {
  const api = {
    optionsAsked: 0,
    logins: [],
    passkeyLoginOptions: async () => {
      api.optionsAsked += 1;
      return OPTIONS;
    },
    loginWithPasskey: async (credential, opts) => {
      api.logins.push({ credential, opts });
      return { username: 'alice' };
    },
  };
  return api;
}

test('where the browser has it, a conditional request waits with fresh options and signs in with the picked passkey', async () => {
  const browser = fakeBrowser();
  const api = fakeApi();
  const users = [];

  const autofill = startPasskeyAutofill({
    api, webauthn: browser.webauthn, remember: () => false, onLogin: (user) => users.push(user), onError: assert.fail,
  });
  await flush();

  assert.equal(api.optionsAsked, 1);
  assert.equal(browser.calls.length, 1);
  assert.equal(browser.calls[0].mediation, 'conditional');
  assert.ok(browser.calls[0].signal, 'the request can be aborted');
  assert.equal(users.length, 0, 'nothing happens until a passkey is picked');

  browser.pickPasskey();
  assert.equal(await autofill.finished, 'signed-in');
  assert.deepEqual(users, [{ username: 'alice' }]);
  assert.equal(api.logins[0].credential.id, 'AQI');
  assert.deepEqual(api.logins[0].opts, { remember: false });
});

test('submitting the password form (or leaving the page) aborts the pending request, and nothing signs in', async () => {
  const browser = fakeBrowser();
  const api = fakeApi();
  const autofill = startPasskeyAutofill({
    api, webauthn: browser.webauthn, remember: () => true, onLogin: assert.fail, onError: assert.fail,
  });
  await flush();

  autofill.abort();

  assert.equal(browser.calls[0].signal.aborted, true);
  assert.equal(await autofill.finished, 'aborted');
  assert.equal(api.logins.length, 0);
});

test('aborted before the options came: the browser is never asked', async () => {
  const browser = fakeBrowser();
  const api = fakeApi();
  const autofill = startPasskeyAutofill({
    api, webauthn: browser.webauthn, remember: () => true, onLogin: assert.fail, onError: assert.fail,
  });
  autofill.abort();

  assert.equal(await autofill.finished, 'aborted');
  assert.equal(browser.calls.length, 0);
});

test('a browser without conditional mediation gets no request and no options are asked for', async () => {
  const browser = fakeBrowser({ conditional: false });
  const api = fakeApi();
  const autofill = startPasskeyAutofill({
    api, webauthn: browser.webauthn, remember: () => true, onLogin: assert.fail, onError: assert.fail,
  });

  assert.equal(await autofill.finished, 'unavailable');
  assert.equal(api.optionsAsked, 0);
  assert.equal(browser.calls.length, 0);
});

test('a browser without WebAuthn, or without isConditionalMediationAvailable, is left alone', async () => {
  const api = fakeApi();
  const none = startPasskeyAutofill({ api, webauthn: null, remember: () => true, onLogin: assert.fail, onError: assert.fail });
  const old = createWebAuthn({ credentials: { create() {}, get() {} }, supported: true, publicKeyCredential: {} });
  const older = startPasskeyAutofill({ api, webauthn: old, remember: () => true, onLogin: assert.fail, onError: assert.fail });

  assert.equal(await none.finished, 'unsupported');
  assert.equal(await older.finished, 'unavailable');
  assert.equal(api.optionsAsked, 0);
});

test('a picked passkey the server refuses is reported, not thrown', async () => {
  const browser = fakeBrowser();
  const api = fakeApi();
  api.loginWithPasskey = async () => { throw Object.assign(new Error('refused'), { status: 401 }); };
  const errors = [];
  const autofill = startPasskeyAutofill({
    api, webauthn: browser.webauthn, remember: () => true, onLogin: assert.fail, onError: (err) => errors.push(err),
  });
  await flush();
  browser.pickPasskey();

  assert.equal(await autofill.finished, 'failed');
  assert.equal(errors[0].status, 401);
});

test('options that cannot be had leave the page quiet (the explicit button stays)', async () => {
  const browser = fakeBrowser();
  const api = fakeApi();
  api.passkeyLoginOptions = async () => { throw new Error('503'); };
  const autofill = startPasskeyAutofill({
    api, webauthn: browser.webauthn, remember: () => true, onLogin: assert.fail, onError: assert.fail,
  });

  assert.equal(await autofill.finished, 'no-options');
  assert.equal(browser.calls.length, 0);
});
