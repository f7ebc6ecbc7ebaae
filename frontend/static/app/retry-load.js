// A page's own load, retried until the server answers: after a failure the
// server may recover from (no connection, a 5xx, a 429), again with the same
// backoff as the token refresh (backoff.js), and at once when there is reason
// to expect success (the browser is back online, the tab is shown again). The
// page shows its error meanwhile and its data as soon as an attempt succeeds.
// A refusal (4xx) or an ended session is not retried: "Try again" (retryNow) still is.
import { BACKOFF, backoffDelay } from './backoff.js';

const isTransient = (err) => !!err && err.name === 'TransientError';

/**
 * @param {object} deps
 * @param {() => Promise<void>} deps.load  ask the server and show the answer; rejects when it could not
 * @param {(err: Error, info: {retrying: boolean, delayMs?: number, attempt?: number}) => void} deps.onFailure  show the error
 * @param {{setTimeout(fn: Function, ms: number): any, clearTimeout(id: any): void}} deps.clock
 * @param {Array<(fn: Function) => Function>} [deps.wakeUps]  subscriptions (returning their stop) whose events retry at once
 * @param {(err: Error) => boolean} [deps.retryable]
 * @param {{initialMs?: number, maxMs?: number}} [deps.backoff]
 * @param {() => number} [deps.random]
 * @returns {{retryNow(): void, stop(): void}}
 */
export function loadUntilAnswered({ load, onFailure, clock, wakeUps = [], retryable = isTransient, backoff = BACKOFF, random = Math.random }) {
  let attempt = 0;
  let timer = null;
  let running = false;
  let stopped = false;
  let answered = false;

  async function run() {
    if (stopped || running) return;
    timer = null;
    running = true;
    try {
      await load();
      if (stopped) return;
      answered = true;
      attempt = 0;
    } catch (err) {
      if (stopped) return;
      if (!retryable(err)) {
        onFailure(err, { retrying: false });
        return;
      }
      attempt += 1;
      const delayMs = backoffDelay(attempt, { ...backoff, random, retryAfterMs: err.retryAfterMs });
      onFailure(err, { retrying: true, delayMs, attempt });
      timer = clock.setTimeout(run, delayMs);
    } finally {
      running = false;
    }
  }

  /** Cut a wait short, or try once more after a refusal; nothing once the data is shown. */
  function retryNow() {
    if (stopped || running || answered) return;
    if (timer !== null) clock.clearTimeout(timer);
    run();
  }

  const stops = wakeUps.filter(Boolean).map((subscribe) => subscribe(() => {
    if (timer !== null) retryNow();
  }));
  run();

  return {
    retryNow,
    stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      for (const stop of stops) stop();
    },
  };
}
