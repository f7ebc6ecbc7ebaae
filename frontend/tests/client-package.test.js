// The client package (frontend/client): createGatehouseClient's surface, its
// refresh-aware fetch, where it may send the token, the declarations against
// the modules, and the app's old import paths, which are the package's modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as pkg from '../client/src/index.js';
import { createGatehouseClient, SecondStepRequired, AuthError } from '../client/src/index.js';
import { FakeClock, createSharedStorage, createFakeLocks, createFakeServer, flush } from './fakes.js';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..', 'client');
const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);
const TTL = 300;
const GATEHOUSE = 'https://auth.example.com';

function setup({ baseUrl = GATEHOUSE, world = new FakeClock(T0), shared = createSharedStorage(), server, locks = createFakeLocks(), ...opts } = {}) {
  server = server || createFakeServer(world, { ttl: TTL });
  const tab = () => {
    const { storage, listen } = shared.area();
    const ended = [];
    const client = createGatehouseClient({
      baseUrl,
      storage,
      listen,
      fetch: server.fetch,
      locks,
      credentialsContainer: null,
      clock: world.view(0),
      backoff: { maxAttempts: 1 },
      ...opts,
    });
    client.onSessionEnded((info) => ended.push(info.reason));
    return { client, ended };
  };
  return { world, server, tab };
}

test('login({username, password, remember}) signs in and sends remember', async () => {
  const { server, tab } = setup();
  const { client } = tab();
  const user = await client.login({ username: 'alice', password: 'pw', remember: false });
  assert.equal(user.username, 'alice');
  assert.equal(client.isLoggedIn(), true);
  assert.deepEqual(server.lastLoginBody, { username: 'alice', password: 'pw', remember: false });
});

test('login answers SecondStepRequired for an account with a second factor; loginSecondStep finishes it', async () => {
  const { server, tab } = setup();
  server.mfa = { code: '123456', recoveryCodes: new Set() };
  const { client } = tab();
  const step = await client.login({ username: 'alice', password: 'pw' });
  assert.ok(step instanceof SecondStepRequired);
  assert.equal(client.isLoggedIn(), false);
  const user = await client.loginSecondStep({ mfaToken: step.mfaToken, code: '123456' });
  assert.equal(user.username, 'alice');
  assert.equal(client.isLoggedIn(), true);
});

test('on another origin, every call to Gatehouse goes to baseUrl with credentials "include"', async () => {
  const { server, tab, world } = setup();
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  await world.advance((TTL - 5) * 1000); // expiring: the fetch refreshes first
  const response = await client.fetch('/api/things/1/');
  assert.equal(response.status, 200);
  await client.logout();
  const toGatehouse = server.calls.filter((c) => c.url.startsWith(GATEHOUSE));
  assert.deepEqual(
    toGatehouse.map((c) => c.path),
    ['/api/auth/login/', '/api/auth/refresh/', '/api/things/1/', '/api/auth/logout/'],
  );
  assert.ok(toGatehouse.every((c) => c.credentials === 'include'), JSON.stringify(toGatehouse.map((c) => c.credentials)));
});

test('served by Gatehouse itself (no baseUrl), calls stay same-origin', async () => {
  const { server, tab } = setup({ baseUrl: '' });
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  await client.fetch('/api/things/1/');
  assert.deepEqual(server.calls.map((c) => [c.url, c.credentials]), [
    ['/api/auth/login/', 'same-origin'],
    ['/api/things/1/', 'same-origin'],
  ]);
});

test('fetch checks the expiry first: an expiring token is refreshed before the request, never sent expired', async () => {
  const { server, tab, world } = setup();
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  await world.advance((TTL + 60) * 1000);
  const responses = await Promise.all([client.fetch('/api/things/1/'), client.fetch('/api/things/2/'), client.fetch('/api/things/3/')]);
  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
  assert.equal(server.refreshCalls, 1, 'one refresh for three concurrent requests');
  assert.equal(server.expiredSeen, 0);
});

test('fetch keeps the caller\'s method, headers and body, and sends the token as Authorization', async () => {
  const { server, tab } = setup();
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  const response = await client.fetch('/api/things/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Team': 'reports' },
    body: JSON.stringify({ name: 'weekly' }),
  });
  assert.equal(response.status, 200);
  const call = server.calls.at(-1);
  assert.equal(call.method, 'POST');
  assert.equal(call.body, '{"name":"weekly"}');
  assert.equal(call.auth, `Bearer ${client.store.get()}`);
});

test('a 401 is sent once more after one refresh; the Response comes back whatever its status', async () => {
  const { server, tab } = setup();
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  server.rejectToken(client.store.get());
  const response = await client.fetch('/api/things/1/');
  assert.equal(response.status, 200);
  assert.equal(server.refreshCalls, 1);
  const missing = await client.fetch('/api/auth/missing-route-404/');
  assert.ok(missing instanceof Response);
});

test('a refresh refused with 401 ends the session: onSessionEnded once, fetch rejects with AuthError', async () => {
  const { server, tab, world } = setup();
  const { client, ended } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  server.sessionRevoked = true;
  await world.advance((TTL + 1) * 1000);
  await assert.rejects(client.fetch('/api/things/1/'), AuthError);
  await assert.rejects(client.fetch('/api/things/2/'), AuthError);
  assert.deepEqual(ended, ['session_expired']);
  assert.equal(client.isLoggedIn(), false);
});

test('logout in one tab ends the session in the others (storage sync), each told once', async () => {
  const { tab } = setup();
  const first = tab();
  const second = tab();
  await first.client.login({ username: 'alice', password: 'pw' });
  await flush();
  assert.equal(second.client.isLoggedIn(), true);
  await first.client.logout();
  await flush();
  assert.deepEqual(first.ended, ['logout']);
  assert.deepEqual(second.ended, ['elsewhere']);
});

test('two tabs refreshing at once share one refresh through the Web Lock', async () => {
  const { server, tab, world } = setup();
  const first = tab();
  const second = tab();
  await first.client.login({ username: 'alice', password: 'pw' });
  await flush();
  await world.advance((TTL + 1) * 1000);
  await Promise.all([first.client.fetch('/api/things/1/'), second.client.fetch('/api/things/2/')]);
  assert.equal(server.refreshCalls, 1);
});

test('the token never leaves for an origin that is not Gatehouse, the page or one of apiOrigins', async () => {
  const { server, tab } = setup({ apiOrigins: ['https://api.example.com'] });
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  const before = server.calls.length;
  for (const url of [
    'https://evil.example/steal',
    'https://auth.example.com.evil/x',
    'http://auth.example.com/x',
    'https://auth.example.com:8443/x',
    '//evil.example/x',
    'javascript:alert(1)',
    'api/relative-without-slash',
  ]) {
    await assert.rejects(client.fetch(url), TypeError, url);
  }
  assert.equal(server.calls.length, before, 'nothing was sent');
  await client.fetch('https://api.example.com/v1/things');
  const call = server.calls.at(-1);
  assert.equal(call.url, 'https://api.example.com/v1/things');
  assert.equal(call.auth, `Bearer ${client.store.get()}`);
  assert.equal(call.credentials, 'same-origin', 'Gatehouse\'s cookies are not offered to another API');
  await client.request('https://api.example.com/v1/things');
  assert.equal(server.calls.at(-1).credentials, 'same-origin');
  await assert.rejects(client.request('https://evil.example/steal'), TypeError);
  await client.request('/api/things/1/');
  assert.equal(server.calls.at(-1).credentials, 'include');
});

test('a bad baseUrl or apiOrigin is refused when the client is made', () => {
  assert.throws(() => createGatehouseClient({ baseUrl: 'auth.example.com', storage: createSharedStorage().area().storage }), TypeError);
  assert.throws(() => createGatehouseClient({ baseUrl: 'ftp://auth.example.com', storage: createSharedStorage().area().storage }), TypeError);
  assert.throws(
    () => createGatehouseClient({ baseUrl: GATEHOUSE, apiOrigins: ['*'], storage: createSharedStorage().area().storage }),
    TypeError,
  );
});

test('a 403 reauthentication_required asks onReauthRequired, then sends the request once more', async () => {
  const asked = [];
  let client;
  const { server, tab } = setup({
    onReauthRequired: async (err) => {
      asked.push(err.code);
      await client.reauthenticate('pw');
      return true;
    },
  });
  server.needsRecentAuth.add('/api/things/sensitive/');
  ({ client } = tab());
  await client.login({ username: 'alice', password: 'pw' });
  const response = await client.fetch('/api/things/sensitive/', { method: 'POST', body: '{}' });
  assert.equal(response.status, 200);
  assert.deepEqual(asked, ['reauthentication_required']);
});

test('without a second chance (declined), the 403 is the answer', async () => {
  const { server, tab } = setup({ onReauthRequired: async () => false });
  server.needsRecentAuth.add('/api/things/sensitive/');
  const { client } = tab();
  await client.login({ username: 'alice', password: 'pw' });
  const response = await client.fetch('/api/things/sensitive/');
  assert.equal(response.status, 403);
});

test('passkey sign-in runs the browser ceremony with the server\'s options', async () => {
  const world = new FakeClock(T0);
  const server = createFakeServer(world, { ttl: TTL });
  const fetched = [];
  const credential = { id: 'cred', rawId: new Uint8Array([1, 2]).buffer, type: 'public-key', response: {
    clientDataJSON: new Uint8Array([3]).buffer, authenticatorData: new Uint8Array([4]).buffer,
    signature: new Uint8Array([5]).buffer, userHandle: null,
  }, getClientExtensionResults: () => ({}) };
  const client = createGatehouseClient({
    storage: createSharedStorage().area().storage,
    clock: world.view(0),
    locks: null,
    credentialsContainer: { create: async () => credential, get: async (request) => { fetched.push(request); return credential; } },
    fetch: async (url, init) => {
      const path = String(url);
      if (path === '/api/auth/login/passkey/options/') {
        return new Response(JSON.stringify({ challenge: 'AQID', rpId: 'example.com' }), { headers: { 'Content-Type': 'application/json' } });
      }
      return server.fetch(path === '/api/auth/login/passkey/' ? '/api/auth/login/' : url, { ...init, body: '{}' });
    },
  });
  assert.equal(client.passkeysSupported, true);
  const user = await client.loginWithPasskey({ remember: true });
  assert.equal(user.username, 'alice');
  assert.equal(fetched.length, 1);
  assert.deepEqual([...new Uint8Array(fetched[0].publicKey.challenge)], [1, 2, 3]);
});

// --- the package as shipped ----------------------------------------------------

function declaredNames(file) {
  const src = readFileSync(join(packageDir, 'src', file), 'utf8');
  const names = new Set();
  for (const m of src.matchAll(/^export declare (?:function|const|class) (\w+)/gm)) names.add(m[1]);
  for (const m of src.matchAll(/^export \{([^}]*)\} from/gm)) {
    for (const name of m[1].split(',').map((s) => s.trim()).filter(Boolean)) names.add(name);
  }
  return [...names].sort();
}

test('each module exports at run time exactly the values its .d.ts declares', async () => {
  for (const name of ['index', 'api', 'token-store', 'backoff', 'webauthn', 'keep-fresh']) {
    const runtime = Object.keys(await import(`../client/src/${name}.js`)).sort();
    assert.deepEqual(runtime, declaredNames(`${name}.d.ts`), name);
  }
  assert.equal(typeof pkg.createGatehouseClient, 'function');
});

test('package.json: ES modules, declarations, no runtime dependencies, the exports exist', () => {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.dependencies, undefined);
  assert.equal(manifest.peerDependencies, undefined);
  for (const entry of Object.values(manifest.exports)) {
    for (const file of typeof entry === 'string' ? [entry] : Object.values(entry)) {
      assert.ok(existsSync(join(packageDir, file)), file);
    }
  }
});

test('the package\'s modules import nothing outside the package', () => {
  for (const name of ['index', 'api', 'token-store', 'backoff', 'webauthn', 'keep-fresh']) {
    const src = readFileSync(join(packageDir, 'src', `${name}.js`), 'utf8');
    for (const m of src.matchAll(/\bfrom\s+'([^']+)'/g)) assert.match(m[1], /^\.\/[\w-]+\.js$/, `${name}.js imports ${m[1]}`);
  }
});

test('the app\'s old paths are the package\'s modules, not copies', async () => {
  for (const name of ['api', 'token-store', 'backoff', 'webauthn', 'keep-fresh']) {
    const old = await import(`../static/app/${name}.js`);
    const moved = await import(`../client/src/${name}.js`);
    assert.deepEqual(Object.keys(old).sort(), Object.keys(moved).sort(), name);
    for (const key of Object.keys(moved)) assert.equal(old[key], moved[key], `${name}.${key}`);
  }
});

test('the declarations type-check against the usage files (tsc --noEmit, typescript from the lockfile)', () => {
  const tsc = join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc');
  assert.ok(existsSync(tsc), 'typescript is not installed: run `npm ci --prefix frontend/client` (make test does)');
  execFileSync(process.execPath, [tsc, '-p', join(packageDir, 'types-check', 'tsconfig.json')], {
    cwd: packageDir,
    stdio: 'pipe',
  });
});

test('docs/building-on-gatehouse.md lists exactly the names the package exports', async () => {
  const doc = readFileSync(join(here, '..', '..', 'docs', 'building-on-gatehouse.md'), 'utf8');
  const table = doc.split('Browser client, from `@gatehouse/client`')[1].split('\n\n')[1];
  const listed = [...table.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]).sort();
  assert.deepEqual(listed, Object.keys(pkg).sort());
});

// ---- storageKey: two clients on one origin ---------------------------------

function twoGatehouses({ world = new FakeClock(T0), shared = createSharedStorage(), locks = createFakeLocks() } = {}) {
  const bob = { id: 2, username: 'bob', email: 'bob@example.com', is_staff: false, date_joined: '2030-01-01T00:00:00Z' };
  const servers = { a: createFakeServer(world, { ttl: TTL }), b: createFakeServer(world, { ttl: TTL, user: bob }) };
  const client = (name, area = shared.area(), extra = {}) => {
    const ended = [];
    const made = createGatehouseClient({
      baseUrl: `https://auth-${name}.example.com`,
      storage: area.storage,
      listen: area.listen,
      storageKey: `gatehouse-${name}`,
      fetch: servers[name].fetch,
      locks,
      credentialsContainer: null,
      clock: world.view(0),
      backoff: { maxAttempts: 1 },
      ...extra,
    });
    made.onSessionEnded((info) => ended.push(info.reason));
    return { client: made, ended, area };
  };
  return { world, shared, servers, client };
}

test('storageKey: two clients on one storage keep their own tokens, and a logout ends only its own', async () => {
  const { shared, client } = twoGatehouses();
  const area = shared.area();
  const a = client('a', area);
  const b = client('b', area); // the same storage, the same tab
  const aElsewhere = client('a'); // another tab of the first app
  await a.client.login({ username: 'alice', password: 'pw' });
  await flush();
  assert.equal(a.client.isLoggedIn(), true);
  assert.equal(aElsewhere.client.isLoggedIn(), true);
  assert.equal(b.client.isLoggedIn(), false);

  await b.client.login({ username: 'bob', password: 'pw' });
  await flush();
  assert.equal(a.client.store.claims().user_id, 1);
  assert.equal(b.client.store.claims().user_id, 2);
  assert.deepEqual([...shared.data.keys()].sort(), ['gatehouse-a', 'gatehouse-a_meta', 'gatehouse-b', 'gatehouse-b_meta']);

  await a.client.logout();
  await flush();
  assert.deepEqual(a.ended, ['logout']);
  assert.deepEqual(aElsewhere.ended, ['elsewhere']);
  assert.deepEqual(b.ended, []);
  assert.equal(b.client.isLoggedIn(), true);
});

test('storageKey: one client\'s refresh does not wait for the other\'s (a Web Lock each)', async () => {
  const { servers, client, world } = twoGatehouses();
  const a = client('a');
  const b = client('b');
  await a.client.login({ username: 'alice', password: 'pw' });
  await b.client.login({ username: 'alice', password: 'pw' });
  await world.advance((TTL + 1) * 1000);
  const release = servers.a.holdRefresh();
  const slow = a.client.fetch('/api/things/1/'); // holds its lock until the refresh answers
  await flush();
  const res = await b.client.fetch('/api/things/2/'); // no clock advance: it never waits for a's lock
  assert.equal(res.status, 200);
  assert.equal(servers.b.refreshCalls, 1);
  release();
  assert.equal((await slow).status, 200);
});

test('storageKey defaults to the keys the bundled app has always used; a blank one is refused', async () => {
  const shared = createSharedStorage();
  const world = new FakeClock(T0);
  const server = createFakeServer(world, { ttl: TTL });
  const { storage } = shared.area();
  const client = createGatehouseClient({ storage, fetch: server.fetch, locks: null, credentialsContainer: null, clock: world.view(0) });
  await client.login({ username: 'alice', password: 'pw' });
  assert.deepEqual([...shared.data.keys()].sort(), [pkg.META_KEY, pkg.TOKEN_KEY].sort());
  assert.equal(pkg.TOKEN_KEY, 'access_token');
  for (const storageKey of ['', 42]) {
    assert.throws(() => createGatehouseClient({ storage, storageKey, fetch: server.fetch }), TypeError);
  }
});
