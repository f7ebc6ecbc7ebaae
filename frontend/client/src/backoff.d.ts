/** The refresh's and the pages' retry schedule: doubling from 1 s up to 30 s. */
export declare const BACKOFF: Readonly<{ initialMs: number; maxMs: number }>;

/** The wait before retry number `attempt` (1 after the first failure), jittered ±20 %, never under Retry-After. */
export declare function backoffDelay(
  attempt: number,
  options?: { initialMs?: number; maxMs?: number; random?: () => number; retryAfterMs?: number | null },
): number;
