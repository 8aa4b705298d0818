/** The timer functions the reporter needs (the browser's, or a test's fake ones). */
export interface ReporterClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface InputReporter {
  /** The officer pressed a key, clicked, scrolled or moved the pointer. */
  input(): void;
  /** Drops a pending report (the page left the unlocked state). */
  dispose(): void;
}

const browserClock: ReporterClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};

/**
 * Turns a stream of officer input events into `vault.touch` reports, the only thing that
 * postpones the core's idle lock: at once for the first input after a quiet spell, then at
 * most once per `everyMs`. Input held back inside a window is reported when the window ends,
 * so the last input always reaches the core (at most `everyMs` late); without that trailing
 * report the vault would lock up to `everyMs` before the delay the officer chose.
 */
export function createInputReporter(
  report: () => void,
  everyMs: number,
  clock: ReporterClock = browserClock,
): InputReporter {
  const state: { lastReportAt: number | null; trailing: unknown } = { lastReportAt: null, trailing: null };
  const send = () => {
    state.lastReportAt = clock.now();
    report();
  };
  return {
    input() {
      const at = clock.now();
      if (state.lastReportAt === null || at - state.lastReportAt >= everyMs) {
        send();
        return;
      }
      if (state.trailing !== null) return;
      state.trailing = clock.setTimeout(
        () => {
          state.trailing = null;
          send();
        },
        state.lastReportAt + everyMs - at,
      );
    },
    dispose() {
      if (state.trailing !== null) clock.clearTimeout(state.trailing);
      state.trailing = null;
    },
  };
}
