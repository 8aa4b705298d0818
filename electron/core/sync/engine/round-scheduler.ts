import type { DeviceRelay } from '../relay';
import type { Jitter } from './backoff';
import type { RoundContext } from './round';
import type { RoundReport } from './round-report';

export interface RoundSchedulerDeps {
  /** Background rounds after a round that did not fail. */
  readonly intervalMs: number;
  /** After failed rounds: this plus {@link jitter} of the failures in a row. */
  readonly backoffBaseMs: number;
  readonly jitter: Jitter;
  /** Keep the relay's push channel open (live mail starts a round at once). */
  readonly push: boolean;
  readonly round: (ctx: RoundContext) => Promise<RoundReport>;
  /** Told of a push before the round it starts (a round's waiting receiver looks at once). */
  readonly onPush: () => void;
}

/**
 * When rounds run: one at a time; a request during one runs another right after it (once,
 * however many came); background rounds every `intervalMs`, or after `backoffBaseMs` plus
 * full jitter while rounds fail; at once on a push from the relay.
 */
export interface RoundScheduler {
  /** Background rounds are on (between start and stop). */
  isRunning(): boolean;
  /** Runs a round now, or right after the one in progress; resolves with its report. */
  kick(): Promise<RoundReport>;
  /** A round the officer asked for: it sends rows still in their backoff; resolves after it. */
  runNow(): Promise<void>;
  /** Turns background rounds on; the first runs at once if `ready()` says so. */
  start(ready: () => Promise<boolean>): void;
  /** Turns them off, aborts transfers, closes push; answers the round still finishing, if any. */
  stop(): Promise<RoundReport> | null;
}

/** The scheduler's one piece of state. */
interface SchedulerState {
  running: boolean;
  timer: NodeJS.Timeout | null;
  current: Promise<RoundReport> | null;
  /** A round was asked for while one ran. */
  again: boolean;
  /** Failed rounds in a row. */
  failures: number;
  /** The officer asked: the next round does not wait out backoff. */
  forceNext: boolean;
  abort: AbortController;
  push: { close(): void } | null;
}

export function createRoundScheduler(deps: RoundSchedulerDeps): RoundScheduler {
  const state: SchedulerState = {
    running: false,
    timer: null,
    current: null,
    again: false,
    failures: 0,
    forceNext: false,
    abort: new AbortController(),
    push: null,
  };

  function ensurePush(dev: DeviceRelay) {
    if (!deps.push || state.push) return;
    try {
      state.push = dev.push(
        () => {
          deps.onPush();
          return kick();
        },
        () => {
          state.push = null;
        },
      );
    } catch {
      state.push = null;
    }
  }

  function kick(): Promise<RoundReport> {
    if (state.current) {
      state.again = true;
      return state.current;
    }
    state.current = deps
      .round({
        signal: state.abort.signal,
        takeForce: () => {
          const force = state.forceNext;
          state.forceNext = false;
          return force;
        },
        ensurePush,
        succeeded: () => {
          state.failures = 0;
        },
        failed: () => {
          state.failures++;
        },
      })
      .finally(() => {
        state.current = null;
        if (state.again && state.running) {
          state.again = false;
          void kick();
        } else {
          schedule();
        }
      });
    return state.current;
  }

  function schedule() {
    if (!state.running) return;
    if (state.timer) clearTimeout(state.timer);
    const delay = state.failures > 0 ? deps.backoffBaseMs + deps.jitter(state.failures) : deps.intervalMs;
    state.timer = setTimeout(() => void kick(), delay);
    state.timer.unref();
  }

  return {
    isRunning: () => state.running,
    kick,

    async runNow() {
      state.forceNext = true;
      await kick();
      if (state.again && state.current) await state.current;
    },

    start(ready) {
      if (state.running) return;
      state.running = true;
      state.abort = new AbortController();
      state.failures = 0;
      void (async () => {
        if ((await ready()) && state.running) void kick();
      })();
    },

    stop() {
      state.running = false;
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      state.abort.abort();
      state.push?.close();
      state.push = null;
      return state.current;
    },
  };
}
