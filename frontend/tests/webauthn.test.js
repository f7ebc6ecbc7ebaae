// base64url <-> ArrayBuffer, the options and credential conversions, and the wrapper around navigator.credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  b64urlToBuffer,
  bufferToB64url,
  creationOptionsFromJSON,
  requestOptionsFromJSON,
  credentialToJSON,
  ceremonyErrorMessage,
  createWebAuthn,
} from '../client/src/webauthn.js';

const bytes = (...values) => new Uint8Array(values).buffer;
const asArray = (buffer) => [...new Uint8Array(buffer)];

test('base64url round-trips every length and every byte value', () => {
  for (let length = 0; length < 70; length += 1) {
    const data = new Uint8Array(length).map((_, i) => (i * 37 + length) % 256);
    const text = bufferToB64url(data.buffer);
    assert.match(text, /^[A-Za-z0-9_-]*$/);
    assert.deepEqual(asArray(b64urlToBuffer(text)), [...data]);
  }
  const all = new Uint8Array(256).map((_, i) => i);
  assert.deepEqual(asArray(b64urlToBuffer(bufferToB64url(all.buffer))), [...all]);
});

test('base64url uses - and _ with no padding, and accepts padding on the way in', () => {
  assert.equal(bufferToB64url(bytes(0xfb, 0xff)), '-_8');
  assert.equal(bufferToB64url(bytes(0xff)), '_w');
  assert.deepEqual(asArray(b64urlToBuffer('_w==')), [0xff]);
  assert.deepEqual(asArray(b64urlToBuffer('')), []);
});

test('a typed array view is encoded as its own bytes, not its whole buffer', () => {
  const view = new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4);
  assert.equal(bufferToB64url(view), bufferToB64url(bytes(1, 2, 3)));
});

test('anything that is not base64url is refused', () => {
  for (const bad of ['a+b', 'a/b', 'ab!', 'a', 'abcde', null, 42, 'ab=c']) {
    assert.throws(() => b64urlToBuffer(bad), TypeError, String(bad));
  }
});

test('creation options: challenge, user id and excluded credential ids become buffers, the rest stays', () => {
  const options = creationOptionsFromJSON({
    rp: { id: 'localhost', name: 'Gatehouse' },
    user: { id: 'AQID', name: 'alice', displayName: 'alice' },
    challenge: 'BAUG',
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    excludeCredentials: [{ id: 'Bwg', type: 'public-key', transports: ['internal'] }],
    authenticatorSelection: { residentKey: 'required' },
  });
  assert.deepEqual(asArray(options.challenge), [4, 5, 6]);
  assert.deepEqual(asArray(options.user.id), [1, 2, 3]);
  assert.equal(options.user.name, 'alice');
  assert.deepEqual(asArray(options.excludeCredentials[0].id), [7, 8]);
  assert.deepEqual(options.excludeCredentials[0].transports, ['internal']);
  assert.deepEqual(options.authenticatorSelection, { residentKey: 'required' });
});

test('request options: no allowCredentials stays an empty list (any discoverable passkey)', () => {
  const options = requestOptionsFromJSON({ challenge: 'AAAA', rpId: 'localhost', userVerification: 'required' });
  assert.deepEqual(asArray(options.challenge), [0, 0, 0]);
  assert.deepEqual(options.allowCredentials, []);
  assert.equal(options.userVerification, 'required');
});

function fakeAttestation() {
  return {
    id: 'AQI',
    rawId: bytes(1, 2),
    type: 'public-key',
    authenticatorAttachment: 'platform',
    response: { clientDataJSON: bytes(123, 125), attestationObject: bytes(0xa0), getTransports: () => ['internal'] },
    getClientExtensionResults: () => ({ credProps: { rk: true } }),
  };
}

test('a registration credential becomes the JSON the server verifies', () => {
  assert.deepEqual(credentialToJSON(fakeAttestation()), {
    id: 'AQI',
    rawId: 'AQI',
    type: 'public-key',
    response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['internal'] },
    authenticatorAttachment: 'platform',
    clientExtensionResults: { credProps: { rk: true } },
  });
});

test('an assertion carries authenticator data, signature and the user handle', () => {
  const json = credentialToJSON({
    id: 'AQI',
    rawId: bytes(1, 2),
    type: 'public-key',
    response: { clientDataJSON: bytes(1), authenticatorData: bytes(2), signature: bytes(3), userHandle: bytes(4) },
  });
  assert.deepEqual(json.response, { clientDataJSON: 'AQ', authenticatorData: 'Ag', signature: 'Aw', userHandle: 'BA' });
  assert.equal(json.authenticatorAttachment, null);
  assert.deepEqual(json.clientExtensionResults, {});
});

test('an assertion without a user handle sends none', () => {
  const json = credentialToJSON({
    id: 'AQI', rawId: bytes(1, 2), type: 'public-key',
    response: { clientDataJSON: bytes(1), authenticatorData: bytes(2), signature: bytes(3), userHandle: null },
  });
  assert.equal('userHandle' in json.response, false);
});

test('createWebAuthn hands converted options to the credentials container and answers JSON', async () => {
  const calls = [];
  const credentials = {
    create: async (arg) => {
      calls.push(['create', arg]);
      return fakeAttestation();
    },
    get: async (arg) => {
      calls.push(['get', arg]);
      return { id: 'AQI', rawId: bytes(1, 2), type: 'public-key', response: { clientDataJSON: bytes(1), authenticatorData: bytes(2), signature: bytes(3) } };
    },
  };
  const webauthn = createWebAuthn({ credentials, supported: true });
  assert.equal(webauthn.supported, true);
  const created = await webauthn.create({ challenge: 'AQ', user: { id: 'Ag', name: 'a', displayName: 'a' }, rp: { name: 'G' } });
  assert.equal(created.rawId, 'AQI');
  assert.deepEqual(asArray(calls[0][1].publicKey.challenge), [1]);
  const asserted = await webauthn.get({ challenge: 'Aw' });
  assert.equal(asserted.response.signature, 'Aw');
  assert.deepEqual(asArray(calls[1][1].publicKey.challenge), [3]);
});

test('without PublicKeyCredential or a credentials container, passkeys are unsupported', () => {
  assert.equal(createWebAuthn({ credentials: null, supported: true }).supported, false);
  assert.equal(createWebAuthn({ credentials: { create() {}, get() {} }, supported: false }).supported, false);
});

test('the browser refusals have messages; other errors do not', () => {
  for (const name of ['NotAllowedError', 'AbortError', 'InvalidStateError', 'SecurityError', 'NotSupportedError']) {
    assert.equal(typeof ceremonyErrorMessage({ name }), 'string', name);
  }
  assert.equal(ceremonyErrorMessage(new TypeError('x')), null);
  assert.equal(ceremonyErrorMessage(null), null);
});
