import { test } from 'node:test';
import assert from 'node:assert/strict';

import { parseUserAgent } from '../static/app/ua.js';
import { formatCountdown, relativeTime, formatDateTime, initial, toDate } from '../static/app/format.js';
import { pageQuery } from '../static/app/pages/staff.js';

test('user agents become a readable device label', () => {
  const cases = [
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'Chrome on Windows', 'desktop'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15', 'Safari on macOS', 'desktop'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1', 'Safari on iPhone', 'phone'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox on Linux', 'desktop'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36', 'Chrome on Android', 'phone'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0', 'Edge on Windows', 'desktop'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36', 'Headless Chrome on Linux', 'desktop'],
    ['curl/8.5.0', 'curl', 'other'],
  ];
  for (const [ua, label, kind] of cases) {
    const d = parseUserAgent(ua);
    assert.equal(d.label, label, ua);
    assert.equal(d.kind, kind, ua);
  }
  assert.equal(parseUserAgent('').label, 'Unknown device');
  assert.equal(parseUserAgent(null).label, 'Unknown device');
  assert.equal(parseUserAgent('SomeBot').label, 'SomeBot');
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
