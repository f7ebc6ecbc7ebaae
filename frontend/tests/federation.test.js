// federation.js: the callback's error codes in words, starting a sign-in (public) or a link (signed in), the
// second step waiting after a provider sign-in, and taking over the session the callback started.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  ERROR_MESSAGES, adoptProviderSignIn, createFederation, federationErrorMessage, takeSignedInMark,
} from '../static/app/federation.js';
import { ApiError, SecondStepRequired } from '../static/app/api.js';

function response(status, body, headers = {}) {
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => headers[name] || null },
    json: async () => body,
  };
}

function recorder(answer) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { calls, fetch };
}

test('every code of the contract has words, and an unknown code gets the generic message', () => {
  for (const code of ['federation_failed', 'federation_cancelled', 'account_exists', 'signup_closed',
    'identity_in_use', 'email_unverified', 'sso_required']) {
    assert.ok(ERROR_MESSAGES[code].length > 20, code);
  }
  assert.equal(federationErrorMessage('<script>'), ERROR_MESSAGES.federation_failed);
  assert.equal(federationErrorMessage(null), null);
});

test('a sign-in starts without a session and leaves for the provider', async () => {
  const { calls, fetch } = recorder(() => response(200, { authorization_url: 'https://id.example/auth?x=1' }));
  const went = [];
  const api = { request: async () => assert.fail('a sign-in needs no session') };
  await createFederation({ fetch, api, assign: (url) => went.push(url) }).start('acme', { next: '/sessions' });
  assert.equal(calls[0].url, '/api/auth/federation/acme/start/');
  assert.deepEqual(JSON.parse(calls[0].init.body), { intent: 'login', next: '/sessions' });
  assert.equal(calls[0].init.credentials, 'same-origin');
  assert.deepEqual(went, ['https://id.example/auth?x=1']);
});

test('a link goes through the signed-in API client (which asks "Confirm it\'s you" when needed)', async () => {
  const requests = [];
  const api = { request: async (path, init) => { requests.push([path, init]); return { authorization_url: 'https://p/a' }; } };
  const went = [];
  await createFederation({ fetch: async () => assert.fail('no public request'), api, assign: (u) => went.push(u) })
    .start('acme', { intent: 'link', next: '/account' });
  assert.deepEqual(requests, [['/api/auth/federation/acme/start/', { method: 'POST', body: { intent: 'link', next: '/account' } }]]);
  assert.deepEqual(went, ['https://p/a']);
});

test('a refused start is an ApiError and the browser stays', async () => {
  const { fetch } = recorder(() => response(404, { detail: 'No such sign-in provider.', code: 'not_found' }));
  const went = [];
  const federation = createFederation({ fetch, api: {}, assign: (u) => went.push(u) });
  await assert.rejects(federation.start('nope'), (err) => err instanceof ApiError && err.status === 404);
  assert.deepEqual(went, []);
});

test('the second step after a provider sign-in comes as a SecondStepRequired', async () => {
  const { fetch } = recorder(() => response(202, { mfa_required: true, mfa_token: 't'.repeat(40), methods: ['totp'], expires_in: 300 }));
  const pending = await createFederation({ fetch, api: {}, assign() {} }).pendingSecondStep();
  assert.ok(pending instanceof SecondStepRequired);
  assert.deepEqual(pending.methods, ['totp']);
  const gone = recorder(() => response(401, { code: 'mfa_token_invalid', detail: 'expired' }));
  await assert.rejects(createFederation({ fetch: gone.fetch, api: {}, assign() {} }).pendingSecondStep(),
    (err) => err instanceof ApiError && err.status === 401);
});

test('the providers list is [] when the server cannot say', async () => {
  const down = createFederation({ fetch: async () => { throw new TypeError('offline'); }, api: {}, assign() {} });
  assert.deepEqual(await down.providers(), []);
  const { fetch } = recorder(() => response(200, [{ slug: 'acme', name: 'Acme', kind: 'oidc' }, { bogus: true }]));
  assert.deepEqual(await createFederation({ fetch, api: {}, assign() {} }).providers(), [{ slug: 'acme', name: 'Acme', kind: 'oidc' }]);
});

test('the signed-in mark is read once', () => {
  const writes = [];
  const doc = { cookie: 'a=b; gatehouse_federated=1', set cookie(v) { writes.push(v); }, get cookie() { return 'a=b; gatehouse_federated=1'; } };
  assert.equal(takeSignedInMark(doc), true);
  assert.match(writes[0], /^gatehouse_federated=; Max-Age=0; Path=\//);
  assert.equal(takeSignedInMark({ cookie: 'a=b' }), false);
});

test('back from the provider, the refresh cookie becomes the access token', async () => {
  let stored = null;
  const store = { set: (token, info) => { stored = { token, info }; } };
  const doc = { _c: 'gatehouse_federated=1', get cookie() { return this._c; }, set cookie(v) { this._c = ''; } };
  const { calls, fetch } = recorder(() => response(200, { access: 'a.b.c', expires_in: 300 }, { Date: 'Mon, 07 Dec 2026 05:00:00 GMT' }));
  assert.equal(await adoptProviderSignIn({ doc, fetch, store }), true);
  assert.equal(calls[0].url, '/api/auth/refresh/');
  assert.equal(calls[0].init.method, 'POST');
  assert.deepEqual(stored, { token: 'a.b.c', info: { expiresIn: 300, serverDate: 'Mon, 07 Dec 2026 05:00:00 GMT' } });
  // Without the mark nothing is asked.
  const quiet = recorder(() => assert.fail('no request'));
  assert.equal(await adoptProviderSignIn({ doc: { cookie: '' }, fetch: quiet.fetch, store }), false);
});
