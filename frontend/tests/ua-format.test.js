import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { deviceOf } from '../static/app/ua.js';
import { formatCountdown, relativeTime, formatDateTime, initial, toDate } from '../static/app/format.js';
import { pageQuery } from '../static/app/pages/staff.js';

test('the device is the server\'s label: the app parses no user agent (tests/useragents.json)', () => {
  // The same table pins the server's reader (tests/test_useragent.py); here the app shows its fields verbatim.
  const table = JSON.parse(readFileSync(new URL('../../tests/useragents.json', import.meta.url), 'utf8'));
  assert.ok(table.some((row) => row.device === 'Headless Chrome on Linux'));
  for (const row of table) {
    assert.deepEqual(deviceOf(row), { label: row.device, kind: row.device_kind }, row.user_agent);
    // Without the server's fields, a user agent alone is not read.
    assert.deepEqual(deviceOf({ user_agent: row.user_agent }), { label: 'Unknown device', kind: 'other' });
  }
  assert.deepEqual(deviceOf(null), { label: 'Unknown device', kind: 'other' });
  assert.deepEqual(deviceOf({ device: 'curl', device_kind: 'spaceship' }), { label: 'curl', kind: 'other' });
});

test('countdown formatting', () => {
  assert.equal(formatCountdown(300_000), '5:00');
  assert.equal(formatCountdown(245_001), '4:06');
  assert.equal(formatCountdown(999), '0:01');
  assert.equal(formatCountdown(0), '0:00');
  assert.equal(formatCountdown(-5), '0:00');
  assert.equal(formatCountdown(NaN), '0:00');
  assert.equal(formatCountdown(3_723_000), '1:02:03');
});

test('relative and absolute times', () => {
  const now = Date.UTC(2030, 0, 15, 12, 0, 0);
  assert.equal(relativeTime(new Date(now - 10_000).toISOString(), now, 'en'), 'just now');
  assert.equal(relativeTime(new Date(now - 3 * 60_000).toISOString(), now, 'en'), '3 minutes ago');
  assert.equal(relativeTime(new Date(now + 2 * 86400_000).toISOString(), now, 'en'), 'in 2 days');
  assert.equal(relativeTime(null, now), '—');
  assert.equal(formatDateTime('not a date'), '—');
  assert.match(formatDateTime('2030-01-15T12:00:00Z', 'en'), /2030/);
  assert.equal(toDate(''), null);
  assert.equal(initial('alice'), 'A');
  assert.equal(initial(''), '?');
});

test('staff pagination keeps only the query of next/previous links', () => {
  assert.equal(pageQuery('http://127.0.0.1:8000/api/auth/users/?page=3'), '?page=3');
  assert.equal(pageQuery('/api/auth/users/?limit=20&offset=40'), '?limit=20&offset=40');
  assert.equal(pageQuery('http://127.0.0.1:8000/api/auth/users/'), '');
  assert.equal(pageQuery(null), null);
});

test('date-times name their time zone', () => {
  // Repro: "Signed in Dec 1, 2026, 3:39 PM" said nothing of the zone it was in.
  const at = '2026-12-01T15:39:00Z';
  assert.equal(formatDateTime(at, 'en-US', 'UTC'), 'Dec 1, 2026, 3:39 PM UTC');
  assert.equal(formatDateTime(at, 'en-US', 'America/New_York'), 'Dec 1, 2026, 10:39 AM EST');
  assert.equal(formatDateTime(at, 'en-GB', 'Europe/Berlin'), '1 Dec 2026, 16:39 CET');
  assert.equal(formatDateTime(Date.parse(at), 'en-US', 'UTC'), 'Dec 1, 2026, 3:39 PM UTC');
  assert.match(formatDateTime(at, 'en-US'), /2026, \d{1,2}:\d\d [AP]M \S+$/); // the machine's own zone, named
  assert.equal(formatDateTime(null, 'en-US', 'UTC'), '—');
});

test('in Arabic a zone offset keeps its sign before its digits: "+1" isolated left to right, not shown as "1+"', () => {
  const at = '2026-12-01T15:39:00Z';
  const arabic = formatDateTime(at, 'ar', 'Europe/Berlin');
  // Repro: Intl writes "غرينتش+1"; in a right-to-left line the bidi algorithm showed it as "1+غرينتش".
  assert.match(arabic, /\u2066\+1\u2069/);
  assert.equal(arabic.replace(/[\u2066\u2069]/g, ''), new Intl.DateTimeFormat('ar', {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: 'Europe/Berlin',
  }).format(new Date(at)));
  // Left-to-right languages are written as Intl writes them.
  assert.equal(formatDateTime(at, 'de', 'Europe/Berlin'), new Intl.DateTimeFormat('de', {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: 'Europe/Berlin',
  }).format(new Date(at)));
});
