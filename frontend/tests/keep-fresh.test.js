// The sessions page keeps "Last active" current: relative times redrawn, the list asked for again.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { keepFresh } from '../client/src/keep-fresh.js';

/** ctx.every and ctx.onShown, driven by hand: tick(ms) runs what is due. */
function fakes() {
  let now = 0;
  const timers = new Set();
  const shown = new Set();
  return {
    every(ms, fn) {
      const timer = { ms, fn, next: now + ms };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    onShown(fn) {
      shown.add(fn);
      return () => shown.delete(fn);
    },
    async tick(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter((t) => t.next <= until).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += due.ms;
        due.fn();
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = until;
    },
    show: async () => {
      for (const fn of [...shown]) fn();
      await new Promise((resolve) => setImmediate(resolve));
    },
    timers,
    shown,
  };
}

test('relative times are redrawn every 30 s and the list asked for every minute', async () => {
  // Repro: "Last active just now" stayed so for as long as the page was open.
  const f = fakes();
  const calls = [];
  keepFresh({ every: f.every, onShown: f.onShown, redraw: () => calls.push('redraw'), reload: () => calls.push('reload') });

  await f.tick(29_000);
  assert.deepEqual(calls, []);
  await f.tick(1_000);
  assert.deepEqual(calls, ['redraw']);
  await f.tick(30_000);
  assert.deepEqual(calls, ['redraw', 'redraw', 'reload']);
});

test('a hidden tab asks for nothing; shown again, it asks at once', async () => {
  const f = fakes();
  let visible = false;
  const reloads = [];
  keepFresh({ every: f.every, onShown: f.onShown, isVisible: () => visible, redraw() {}, reload: () => reloads.push(1) });

  await f.tick(180_000);
  assert.equal(reloads.length, 0);
  visible = true;
  await f.show();
  assert.equal(reloads.length, 1);
});

test('one reload at a time: a slow answer is not asked for twice', async () => {
  const f = fakes();
  let release;
  let reloads = 0;
  keepFresh({
    every: f.every,
    onShown: f.onShown,
    redraw() {},
    reload: () => {
      reloads += 1;
      return new Promise((resolve) => {
        release = resolve;
      });
    },
  });

  await f.show();
  await f.tick(60_000);
  await f.show();
  assert.equal(reloads, 1);
  release();
  await new Promise((resolve) => setImmediate(resolve));
  await f.show();
  assert.equal(reloads, 2);
});

test('a failed reload is not an unhandled rejection, and the next one still runs', async () => {
  const f = fakes();
  let reloads = 0;
  keepFresh({ every: f.every, onShown: f.onShown, redraw() {}, reload: () => { reloads += 1; throw new Error('offline'); } });

  await f.show();
  await f.show();
  assert.equal(reloads, 2);
});

test('disposing stops the timers and the visibility listener', async () => {
  const f = fakes();
  const calls = [];
  const stop = keepFresh({ every: f.every, onShown: f.onShown, redraw: () => calls.push('redraw'), reload: () => calls.push('reload') });

  stop();
  await f.tick(600_000);
  await f.show();
  assert.deepEqual(calls, []);
  assert.equal(f.timers.size + f.shown.size, 0);
});
