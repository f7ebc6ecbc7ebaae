// The wait before retry number `attempt` after a failure the server may
// recover from: doubling from initialMs up to maxMs, jittered by ±20 % so
// that many tabs do not come back at the same instant, never shorter than
// the server's Retry-After. One rule for the token refresh (api.js) and for
// a page's own load (retry-load.js).

export const BACKOFF = Object.freeze({ initialMs: 1000, maxMs: 30_000 });

/**
 * @param {number} attempt 1 for the wait after the first failure
 * @param {{initialMs?: number, maxMs?: number, random?: () => number, retryAfterMs?: number|null}} [options]
 */
export function backoffDelay(attempt, { initialMs = BACKOFF.initialMs, maxMs = BACKOFF.maxMs, random = Math.random, retryAfterMs = null } = {}) {
  const base = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs || 0);
}
