import { RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import { aborted, networkError, RelayClientError } from './relay-error';

/** How a call that can be repeated is retried. */
export interface RetryPolicy {
  /** Failed attempts in a row (no progress between them) before giving up. */
  readonly maxRetries: number;
  /** First delay (ms), doubled each time up to 2 s. */
  readonly retryDelayMs: number;
}

/**
 * Runs `step` until it returns, retrying retryable failures with backoff, at most
 * `maxRetries` in a row: a failure after `progress()` grew starts the count again, so a
 * transfer that moves between cuts goes on for as long as it moves.
 */
export async function retrying<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  progress: () => number,
  step: () => Promise<T>,
): Promise<T> {
  let failures = 0;
  let mark = progress();
  for (;;) {
    if (signal?.aborted) throw aborted();
    try {
      return await step();
    } catch (e) {
      const error = e instanceof RelayClientError ? e : networkError(e);
      if (!error.retryable || error.code === RelayLinkErrorCode.Aborted) throw error;
      const now = progress();
      if (now > mark) {
        failures = 0;
        mark = now;
      }
      if (++failures > policy.maxRetries) throw error;
      await sleep(Math.min(2000, policy.retryDelayMs * 2 ** (failures - 1)), signal);
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
