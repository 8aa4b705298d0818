import { describe, expect, it } from 'vitest';
import { createInputReporter, type ReporterClock } from './input-reporter';

/** A hand-driven clock: `advance` runs the timers that fall due, in order. */
function fakeClock() {
  let t = 1_000_000;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: ReporterClock = {
    now: () => t,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.push({ at: t + ms, fn, id });
      return id;
    },
    clearTimeout(handle) {
      timers = timers.filter((x) => x.id !== handle);
    },
  };
  const advance = (ms: number) => {
    const end = t + ms;
    for (;;) {
      const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((x) => x !== due);
      t = due.at;
      due.fn();
    }
    t = end;
  };
  return { clock, advance, pending: () => timers.length };
}

describe('createInputReporter', () => {
  it('reports the first input at once', () => {
    const { clock } = fakeClock();
    const reports: number[] = [];
    const r = createInputReporter(() => reports.push(clock.now()), 5_000, clock);
    r.input();
    expect(reports).toEqual([clock.now()]);
  });

  it('reports at most once per window, and the held-back input when the window ends', () => {
    const { clock, advance } = fakeClock();
    const start = clock.now();
    const reports: number[] = [];
    const r = createInputReporter(() => reports.push(clock.now() - start), 5_000, clock);
    r.input();
    for (let i = 0; i < 40; i++) {
      advance(100);
      r.input();
    }
    // Input from 0 to 4 s: one report at once, one when the window ends (the last input is
    // not lost, so the core never locks before the officer's delay).
    advance(10_000);
    expect(reports).toEqual([0, 5_000]);
  });

  it('keeps reporting while input goes on, and stops when it stops', () => {
    const { clock, advance, pending } = fakeClock();
    const start = clock.now();
    const reports: number[] = [];
    const r = createInputReporter(() => reports.push(clock.now() - start), 5_000, clock);
    for (let i = 0; i < 120; i++) {
      r.input();
      advance(100);
    }
    // Input until 11.9 s: the last of it is reported when its window ends, then nothing.
    advance(20_000);
    expect(reports).toEqual([0, 5_000, 10_000, 15_000]);
    expect(pending()).toBe(0);
  });

  it('a quiet spell longer than the window makes the next input report at once', () => {
    const { clock, advance } = fakeClock();
    const start = clock.now();
    const reports: number[] = [];
    const r = createInputReporter(() => reports.push(clock.now() - start), 5_000, clock);
    r.input();
    advance(7_000);
    r.input();
    expect(reports).toEqual([0, 7_000]);
  });

  it('dispose drops a pending report', () => {
    const { clock, advance } = fakeClock();
    const reports: number[] = [];
    const r = createInputReporter(() => reports.push(clock.now()), 5_000, clock);
    r.input();
    advance(1_000);
    r.input();
    r.dispose();
    advance(10_000);
    expect(reports).toHaveLength(1);
  });
});
