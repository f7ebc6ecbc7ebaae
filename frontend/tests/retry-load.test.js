// A page's own load retries until the server answers (issue: a page that failed during an outage stayed failed).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { loadUntilAnswered } from '../static/app/retry-load.js';
import { TransientError, ApiError } from '../client/src/api.js';
import { FakeClock, flush } from './fakes.js';

/** A server that is down until `up()`; each load records the time it was asked. */
function outage(clock) {
  let down = true;
  const asked = [];
  return {
    asked,
    up: () => {
      down = false;
    },
    load: async () => {
      asked.push(clock.now());
      if (down) throw new TransientError('The server could not be reached.');
    },
  };
}

function wakeSource() {
  const listeners = new Set();
  return {
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    fire: () => {
      for (const fn of [...listeners]) fn();
    },
    listeners,
  };
}

const noJitter = () => 0.5; // 0.8 + 0.4 * 0.5 = 1: the backoff's base delay exactly

test('a load that failed during an outage is retried with the refresh’s backoff and shows the data once the server answers', async () => {
  // Repro: stop the server, open Sessions: "Couldn't load this"; start it again: 40 s later still the error.
  const clock = new FakeClock();
  const server = outage(clock);
  const failures = [];
  const t0 = clock.now();
  let shown = false;

  loadUntilAnswered({
    load: async () => {
      await server.load();
      shown = true;
    },
    onFailure: (err, info) => failures.push(info),
    clock,
    random: noJitter,
  });
  await clock.advance(1000 + 2000 + 4000); // the backoff: 1 s, 2 s, 4 s…

  assert.deepEqual(server.asked.map((t) => t - t0), [0, 1000, 3000, 7000]);
  assert.deepEqual(failures.map((f) => f.delayMs), [1000, 2000, 4000, 8000]);
  assert.equal(shown, false);

  server.up();
  await clock.advance(8000);

  assert.equal(shown, true);
  await clock.advance(120_000);
  assert.equal(server.asked.length, 5, 'nothing more is asked once the data is shown');
});

test('the waits grow to 30 s and no further', async () => {
  const clock = new FakeClock();
  const server = outage(clock);
  const delays = [];
  loadUntilAnswered({ load: server.load, onFailure: (err, info) => delays.push(info.delayMs), clock, random: noJitter });

  await clock.advance(10 * 60_000);

  assert.deepEqual(delays.slice(0, 7), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test('back online (or the tab shown again), it asks at once instead of waiting out the backoff', async () => {
  const clock = new FakeClock();
  const server = outage(clock);
  const online = wakeSource();
  let shown = false;
  loadUntilAnswered({
    load: async () => {
      await server.load();
      shown = true;
    },
    onFailure: () => {},
    clock,
    wakeUps: [online.subscribe],
    random: noJitter,
  });
  await clock.advance(1000 + 2000 + 4000 + 8000); // the next wait is 16 s
  const asked = server.asked.length;

  server.up();
  online.fire();
  await flush();

  assert.equal(server.asked.length, asked + 1);
  assert.equal(shown, true);
});

test('a refusal is shown and not retried; "Try again" asks once more', async () => {
  const clock = new FakeClock();
  let calls = 0;
  const failures = [];
  const loader = loadUntilAnswered({
    load: async () => {
      calls += 1;
      throw new ApiError(404, { detail: 'Not found.', code: 'not_found' });
    },
    onFailure: (err, info) => failures.push(info.retrying),
    clock,
  });
  await clock.advance(120_000);

  assert.equal(calls, 1);
  assert.deepEqual(failures, [false]);
  loader.retryNow();
  await flush();
  assert.equal(calls, 2);
});

test('a Retry-After longer than the backoff is waited out', async () => {
  const clock = new FakeClock();
  const delays = [];
  loadUntilAnswered({
    load: async () => {
      throw new TransientError('Too many requests', { status: 429, retryAfterMs: 20_000 });
    },
    onFailure: (err, info) => delays.push(info.delayMs),
    clock,
    random: noJitter,
  });
  await flush();

  assert.deepEqual(delays, [20_000]);
});

test('a page left stops retrying and stops listening', async () => {
  const clock = new FakeClock();
  const server = outage(clock);
  const online = wakeSource();
  const loader = loadUntilAnswered({ load: server.load, onFailure: () => {}, clock, wakeUps: [online.subscribe], random: noJitter });
  await flush();

  loader.stop();
  await clock.advance(120_000);
  online.fire();

  assert.equal(server.asked.length, 1);
  assert.equal(online.listeners.size, 0);
});
