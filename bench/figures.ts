import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** One measured figure. Ratios are against a baseline measured in the same process and run. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is measured against, or what it means. */
  readonly note?: string;
}

/** A benchmark file's default export. */
export type Bench = () => Promise<readonly Figure[]>;

/** Sorted-sample percentile (nearest rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Times `fn` `count` times; microseconds per call. */
export async function sample(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return out;
}

/**
 * Event-loop delay while `fn` runs, beyond the sampling interval (`monitorEventLoopDelay` at
 * `resolutionMs`): p50, p99, max (ms), the duration (s) and how many samples were taken.
 */
export async function lagDuring(fn: () => Promise<unknown>, resolutionMs = 1) {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  const t0 = performance.now();
  h.enable();
  await fn();
  h.disable();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  return {
    p50: ms(h.percentile(50)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
    seconds: (performance.now() - t0) / 1000,
    samples: h.count,
  };
}
