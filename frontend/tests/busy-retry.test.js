// A sign-in refused as busy (503 hashing_busy, Retry-After) is said in words and sent again after the wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { retryWhenBusy, busyMessage, BUSY_ATTEMPTS } from '../static/app/busy-retry.js';
import { createI18n } from '../static/app/i18n.js';

const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'static', 'app', 'locales');
import { TransientError, ApiError } from '../static/app/api.js';

const busy = (retryAfterMs = 1000) => new TransientError('Many sign-ins are being checked right now.', {
  status: 503, retryAfterMs, code: 'hashing_busy', detail: 'Many sign-ins are being checked right now.',
});
const noJitter = () => 0.5; // the backoff's base delay exactly

function recorder() {
  const slept = [];
  const shown = [];
  return {
    slept,
    shown,
    sleep: async (ms) => {
      slept.push(ms);
    },
    onWait: ({ message }) => shown.push(message),
  };
}

test('a busy refusal is waited out (at least Retry-After) and the same sign-in sent again', async () => {
  const r = recorder();
  const answers = [busy(3000), busy(1000), { id: 7 }];
  let calls = 0;
  const user = await retryWhenBusy(async () => {
    const answer = answers[calls++];
    if (answer instanceof Error) throw answer;
    return answer;
  }, { sleep: r.sleep, onWait: r.onWait, random: noJitter });
  assert.deepEqual(user, { id: 7 });
  assert.equal(calls, 3);
  assert.deepEqual(r.slept, [3000, 2000]); // Retry-After, then the backoff's doubling when longer
  assert.deepEqual(r.shown, [
    'Many people are signing in right now. Trying again in 3 seconds…',
    'Many people are signing in right now. Trying again in 2 seconds…',
  ]);
});

test('after a few refusals the error goes to the page', async () => {
  const r = recorder();
  let calls = 0;
  await assert.rejects(
    retryWhenBusy(async () => {
      calls += 1;
      throw busy();
    }, { sleep: r.sleep, onWait: r.onWait, random: noJitter }),
    (err) => err.code === 'hashing_busy',
  );
  assert.equal(calls, BUSY_ATTEMPTS);
  assert.equal(r.slept.length, BUSY_ATTEMPTS - 1);
});

test('other failures are not retried: a wrong password, another 503, no connection', async () => {
  for (const failure of [
    new ApiError(401, { detail: 'Invalid username or password.', code: 'invalid_credentials' }),
    new TransientError('The service is temporarily unavailable.', { status: 503, code: 'service_unavailable' }),
    new TransientError('The server could not be reached.'),
  ]) {
    const r = recorder();
    let calls = 0;
    await assert.rejects(retryWhenBusy(async () => {
      calls += 1;
      throw failure;
    }, { sleep: r.sleep, onWait: r.onWait }), (err) => err === failure);
    assert.equal(calls, 1);
    assert.deepEqual(r.slept, []);
  }
});

test('a page left during the wait sends nothing more', async () => {
  let alive = true;
  let calls = 0;
  await assert.rejects(retryWhenBusy(async () => {
    calls += 1;
    throw busy();
  }, {
    sleep: async () => {
      alive = false;
    },
    isAlive: () => alive,
  }));
  assert.equal(calls, 1);
});

test('the wait is said in whole seconds, one second at least, in the app\'s language', async () => {
  const i18n = createI18n({ fetchJson: async (url) => JSON.parse(readFileSync(join(localesDir, url.split('/').pop()), 'utf8')) });
  await i18n.use('en');
  assert.equal(busyMessage(400, i18n.t), 'Many people are signing in right now. Trying again in 1 second…');
  assert.equal(busyMessage(1200, i18n.t), 'Many people are signing in right now. Trying again in 2 seconds…');
  await i18n.use('de');
  assert.equal(busyMessage(1200, i18n.t), 'Gerade melden sich sehr viele Personen an. Neuer Versuch in 2 Sekunden…');
});
