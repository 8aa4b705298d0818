import { readIdleTimeout, writeIdleTimeout } from './idle-settings';

export interface IdleLockOptions {
  /** `vault-settings.json`: the stored delay, read once and cached. */
  readonly settingsPath: string;
  /** False: no timer is ever armed (a process that is itself the session, the CLI). */
  readonly enabled: boolean;
  /** Tests only: the delay in force is at most this many milliseconds. */
  readonly capMs?: number;
  /** The delay IT's policy sets, in seconds, if any: it wins over the stored one. */
  readonly managedSeconds?: () => Promise<number | undefined>;
  readonly now: () => number;
  /** The delay ran out with no officer input. */
  readonly onIdle: () => void;
}

/** Everything the idle lock knows, in one place. */
interface IdleState {
  /** The stored delay in seconds, once read. */
  seconds: number | null;
  /** When the officer last gave input, or the session started. */
  lastInput: number;
  /** Whether a session is open (only then is a timer armed). */
  open: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * The idle lock: locks the vault when the officer has given no input for the stored delay.
 * Only `input()` (the officer, through `vault.touch`) and the start of a session restart the
 * countdown; nothing the vault does in the background reaches it.
 */
export function createIdleLock(options: IdleLockOptions) {
  const state: IdleState = { seconds: null, lastInput: options.now(), open: false, timer: null };

  async function seconds(): Promise<number> {
    const managed = await options.managedSeconds?.();
    if (managed !== undefined) return managed;
    state.seconds ??= await readIdleTimeout(options.settingsPath);
    return state.seconds;
  }

  /** The delay in force: the stored one, shortened by the test-only cap. */
  function delayMs(stored: number): number {
    const ms = stored * 1000;
    return options.capMs === undefined ? ms : Math.min(ms, options.capMs);
  }

  function clear(): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  function arm(stored: number): void {
    clear();
    if (!state.open || !options.enabled) return;
    const due = state.lastInput + delayMs(stored) - options.now();
    state.timer = setTimeout(options.onIdle, Math.max(0, due));
    state.timer.unref();
  }

  return {
    /** The stored delay, in seconds. */
    seconds,

    /** A session opened (create or unlock): the countdown starts from now. */
    async started(): Promise<void> {
      state.open = true;
      state.lastInput = options.now();
      arm(await seconds());
    },

    /** Officer input: the countdown starts again. */
    async input(): Promise<void> {
      state.lastInput = options.now();
      if (state.open) arm(await seconds());
    },

    /** The session ended (lock, wipe): no timer is left behind. */
    stopped(): void {
      state.open = false;
      clear();
    },

    /** Stores a new delay (validated) and applies it to the running countdown. */
    async configure(stored: number): Promise<void> {
      await writeIdleTimeout(options.settingsPath, stored);
      state.seconds = stored;
      if (state.open) arm(stored);
    },

    /** Seconds left before the lock, for the status; null when no idle lock runs. */
    secondsLeft(stored: number): number | null {
      if (!state.open || !options.enabled) return null;
      return Math.max(0, (state.lastInput + delayMs(stored) - options.now()) / 1000);
    },
  };
}

export type IdleLock = ReturnType<typeof createIdleLock>;
