// The overview's activity rows, as the server gives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createTokenStore } from '../client/src/token-store.js';
import { createApiClient } from '../client/src/api.js';
import { activityView } from '../static/app/activity.js';
import { FakeClock, createSharedStorage, createFakeServer } from './fakes.js';

const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

function client() {
  const world = new FakeClock(T0);
  const server = createFakeServer(world);
  const { storage, listen } = createSharedStorage().area();
  const clock = world.view(0);
  const store = createTokenStore({ storage, clock, listen });
  return { server, api: createApiClient({ fetch: server.fetch, store, clock, random: () => 0.5 }) };
}

test('the activity list is a secured GET with the cursor of the next page', async () => {
  const { server, api } = client();
  await api.login('alice', 'pw');
  await api.activity();
  await api.activity('?cursor=abc');
  const calls = server.calls.filter((c) => c.path.startsWith('/api/auth/activity/'));
  assert.deepEqual(calls.map((c) => c.path), ['/api/auth/activity/', '/api/auth/activity/?cursor=abc']);
  assert.ok(calls.every((c) => c.auth && c.auth.startsWith('Bearer ')));
});

test('an activity row reads: what, on which device, from where, when (with the zone)', () => {
  const row = activityView(
    {
      kind: 'login_succeeded',
      label: 'Signed in',
      created_at: '2026-12-01T15:39:00Z',
      ip_address: '203.0.113.9',
      user_agent: CHROME_MAC,
      device: 'Chrome on macOS',
      session: 'a-session',
      current: true,
    },
    { locale: 'en-US', timeZone: 'UTC' },
  );
  assert.deepEqual(row, {
    tone: 'signin',
    label: 'Signed in',
    device: 'Chrome on macOS',
    ip: '203.0.113.9',
    when: 'Dec 1, 2026, 3:39 PM UTC',
    iso: '2026-12-01T15:39:00.000Z',
    current: true,
  });
});

test('each kind has its tone; reuse alarms stand out; unknown kinds still read', () => {
  const tone = (kind) => activityView({ kind, label: 'x', created_at: null }).tone;
  assert.equal(tone('login_succeeded'), 'signin');
  assert.equal(tone('logout'), 'signout');
  assert.equal(tone('session_revoked'), 'signout');
  assert.equal(tone('reuse_detected'), 'alert');
  assert.equal(tone('password_changed'), 'password');
  assert.equal(tone('password_reset'), 'password');
  assert.equal(tone('password_reset_requested'), 'password');
  assert.equal(tone('reauthenticated'), 'confirm');
  assert.equal(tone('registered'), 'account');
  assert.equal(tone('totp_enabled'), 'other');

  const unknown = activityView({ kind: 'passkey_added', created_at: 'garbage' });
  assert.equal(unknown.label, 'Passkey added');
  assert.equal(unknown.when, '—');
  assert.equal(unknown.iso, null);
});

test('an event with no device or address (an administrator acted) shows neither', () => {
  const row = activityView({ kind: 'session_revoked', label: 'Signed out by an administrator', ip_address: null, user_agent: '' });
  assert.equal(row.device, null);
  assert.equal(row.ip, null);
  assert.equal(row.current, false);
});
