/** Backoff after a failed round or upload: base and ceiling (full jitter). */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base × 2^attempt)).
 * `random` is Math.random outside tests.
 */
export function createJitter(policy: BackoffPolicy, random: () => number = Math.random) {
  return (attempt: number): number =>
    Math.floor(random() * Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 20)));
}

export type Jitter = ReturnType<typeof createJitter>;
