// A sign-in the server refused because every password-hashing slot was taken
// (503 `hashing_busy`, with Retry-After): the server checked nothing, so the
// same request is simply sent again once the wait is over, a few times, while
// the page says in words what is happening. Anything else (a wrong password,
// no connection) is the caller's to show, as before.
import { backoffDelay } from './backoff.js';
import { t as appT } from './translate.js';

export const BUSY_CODE = 'hashing_busy';
export const BUSY_ATTEMPTS = 4; // the first try and three more: a few seconds of waiting, then the error

export const isBusy = (err) => !!err && err.name === 'TransientError' && err.code === BUSY_CODE;

/** What the page shows while it waits `delayMs` before trying again. */
export function busyMessage(delayMs, t = appT) {
  const count = Math.max(1, Math.ceil(delayMs / 1000));
  return t('Many people are signing in right now. Trying again in {count} seconds…', { count });
}

/**
 * Run `call` until it is not refused as busy, at most `attempts` times.
 * @param {() => Promise<any>} call
 * @param {object} deps
 * @param {(info: {delayMs: number, attempt: number, message: string}) => void} [deps.onWait] told before each wait
 * @param {(ms: number) => Promise<void>} deps.sleep
 * @param {() => boolean} [deps.isAlive] false once the page is left: no further try
 * @param {number} [deps.attempts]
 * @param {() => number} [deps.random]
 */
export async function retryWhenBusy(call, { onWait = () => {}, sleep, isAlive = () => true, attempts = BUSY_ATTEMPTS, random = Math.random }) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if (!isBusy(err) || attempt >= attempts || !isAlive()) throw err;
      // At least what the server asked, jittered upwards so refused browsers do not all come back at once.
      const delayMs = backoffDelay(attempt, { initialMs: 1000, maxMs: 8000, random, retryAfterMs: err.retryAfterMs });
      onWait({ delayMs, attempt, message: busyMessage(delayMs) });
      await sleep(delayMs);
      if (!isAlive()) throw err;
    }
  }
}
