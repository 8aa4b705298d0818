import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceRelay } from '../relay';
import { createJitter } from './backoff';
import type { RoundContext } from './round';
import { newRoundReport } from './round-report';
import { createRoundScheduler, type RoundSchedulerDeps } from './round-scheduler';

const INTERVAL = 30_000;
const BASE = 1_000;

/** A push channel the test drives: `mail()` is the relay's wake-up, `drop()` its loss. */
function fakePush() {
  const opened: { onMail: (cursor: number) => void; onClose: (err?: Error) => void; closed: boolean }[] = [];
  const dev = {
    push(onMail: (cursor: number) => void, onClose: (err?: Error) => void) {
      const channel = { onMail, onClose, closed: false };
      opened.push(channel);
      return {
        close() {
          channel.closed = true;
        },
      };
    },
  } as unknown as DeviceRelay;
  return {
    dev,
    opened,
    mail: (cursor = 1) => opened.at(-1)?.onMail(cursor),
    drop: () => opened.at(-1)?.onClose(new Error('cut')),
  };
}

/**
 * A scheduler whose rounds the test scripts: each round reads the context, then waits for
 * `finish(outcome)` (or finishes at once when `auto` is set).
 */
function harness(overrides: Partial<RoundSchedulerDeps> = {}) {
  const rounds: { ctx: RoundContext; force: boolean; startedAt: number }[] = [];
  const pending: ((outcome: 'ok' | 'fail') => void)[] = [];
  const push = fakePush();
  let auto: 'ok' | 'fail' | null = 'ok';
  const nudges = { count: 0 };
  const scheduler = createRoundScheduler({
    intervalMs: INTERVAL,
    backoffBaseMs: BASE,
    jitter: createJitter({ baseMs: BASE, maxMs: 60_000 }, () => 0.5),
    push: true,
    onPush: () => void nudges.count++,
    round: async (ctx) => {
      ctx.ensurePush(push.dev);
      rounds.push({ ctx, force: ctx.takeForce(), startedAt: Date.now() });
      const outcome = auto ?? (await new Promise<'ok' | 'fail'>((resolve) => pending.push(resolve)));
      if (outcome === 'ok') ctx.succeeded();
      else ctx.failed();
      return newRoundReport();
    },
    ...overrides,
  });
  return {
    scheduler,
    rounds,
    push,
    nudges,
    setAuto: (a: 'ok' | 'fail' | null) => (auto = a),
    finish: (outcome: 'ok' | 'fail' = 'ok') => pending.shift()?.(outcome),
  };
}

const ready = async () => true;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('round scheduler', () => {
  it('runs a round at start when ready, then one every interval', async () => {
    const h = harness();
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(h.rounds).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.rounds).toHaveLength(2);
    expect(h.rounds[1]?.startedAt).toBe(INTERVAL);
  });

  it('does not start a round when not ready (not enrolled)', async () => {
    const h = harness();
    h.scheduler.start(async () => false);
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(h.rounds).toHaveLength(0);
  });

  it('backs off after failed rounds (base + full jitter, doubling) and returns to the interval after success', async () => {
    const h = harness();
    h.setAuto('fail');
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    // Failures in a row: 1 → base + 0.5 × 2 × base, 2 → base + 0.5 × 4 × base, 3 → base + 0.5 × 8 × base.
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.advanceTimersByTimeAsync(3_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(h.rounds.map((r) => r.startedAt)).toEqual([0, 2_000, 5_000, 10_000]);
    h.setAuto('ok');
    await vi.advanceTimersByTimeAsync(9_000); // the fourth failure's delay
    expect(h.rounds).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(h.rounds).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.rounds).toHaveLength(6);
  });

  it('caps the backoff at its ceiling', () => {
    const jitter = createJitter({ baseMs: 2_000, maxMs: 300_000 }, () => 0.999_999);
    expect(jitter(1)).toBe(3_999);
    expect(jitter(30)).toBe(299_999);
    expect(createJitter({ baseMs: 2_000, maxMs: 300_000 }, () => 0)(30)).toBe(0);
  });

  it('runs one more round right after the current one, however many were asked for meanwhile', async () => {
    const h = harness();
    h.setAuto(null);
    const first = h.scheduler.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds).toHaveLength(1);
    // Three requests during the round: the same promise, one round afterwards.
    expect(h.scheduler.kick()).toBe(first);
    void h.scheduler.kick();
    void h.scheduler.kick();
    h.scheduler.start(ready); // running: the re-run is allowed
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds).toHaveLength(1);
    h.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds).toHaveLength(2);
    h.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(h.rounds).toHaveLength(2);
  });

  it('wakes on push: the waiting receiver is nudged and a round starts at once', async () => {
    const h = harness();
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.push.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    h.push.mail(7);
    expect(h.nudges.count).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds.map((r) => r.startedAt)).toEqual([0, 1_000]);
    // The channel stays open across rounds: one channel only.
    expect(h.push.opened).toHaveLength(1);
    // The interval counts from the round the push started.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(h.rounds.map((r) => r.startedAt)).toEqual([0, 1_000, 1_000 + INTERVAL]);
  });

  it('opens push again in the round after the channel was lost', async () => {
    const h = harness();
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    h.push.drop();
    expect(h.push.opened).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(h.push.opened).toHaveLength(2);
  });

  it('opens no push channel when push is off', async () => {
    const h = harness({ push: false });
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    expect(h.rounds).toHaveLength(3);
    expect(h.push.opened).toHaveLength(0);
  });

  it('forces the round the officer asks for, once, and waits for it', async () => {
    const h = harness();
    await h.scheduler.runNow();
    expect(h.rounds.map((r) => r.force)).toEqual([true]);
    await h.scheduler.kick();
    expect(h.rounds.map((r) => r.force)).toEqual([true, false]);
  });

  it('"sync now" during a round that already began sending forces the round right after it', async () => {
    const h = harness();
    h.setAuto(null);
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    const now = h.scheduler.runNow();
    h.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds.map((r) => r.force)).toEqual([false, true]);
    h.finish();
    await now;
  });

  it('stop aborts the round in progress, closes push and schedules nothing more', async () => {
    const h = harness();
    h.setAuto(null);
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    const signal = h.rounds[0]?.ctx.signal;
    const finishing = h.scheduler.stop();
    expect(finishing).not.toBeNull();
    expect(signal?.aborted).toBe(true);
    expect(h.push.opened[0]?.closed).toBe(true);
    h.finish();
    await finishing;
    await vi.advanceTimersByTimeAsync(INTERVAL * 3);
    expect(h.rounds).toHaveLength(1);
    // A new start gets a fresh signal and a fresh backoff.
    h.setAuto('ok');
    h.scheduler.start(ready);
    await vi.advanceTimersByTimeAsync(0);
    expect(h.rounds[1]?.ctx.signal.aborted).toBe(false);
  });
});
