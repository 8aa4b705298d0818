import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_IDLE_TIMEOUT_SECONDS } from '../../../shared/domain/vault';
import { createIdleLock, type IdleLockOptions } from './idle-lock';

let settingsPath: string;
let fired: number;

beforeEach(() => {
  vi.useFakeTimers();
  settingsPath = join(mkdtempSync(join(tmpdir(), 'embassy-idle-')), 'vault-settings.json');
  fired = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

const lock = (extra: Partial<IdleLockOptions> = {}) =>
  createIdleLock({ settingsPath, enabled: true, now: () => Date.now(), onIdle: () => fired++, ...extra });

describe('createIdleLock', () => {
  it('fires once the stored delay passes with no input after the session starts', async () => {
    writeFileSync(settingsPath, JSON.stringify({ idleTimeoutSeconds: 60 }));
    const idle = lock();
    await idle.started();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(fired).toBe(0);
    expect(idle.secondsLeft(60)).toBeCloseTo(0.001, 3);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toBe(1);
  });

  it('input restarts the countdown; the lock follows the last input', async () => {
    writeFileSync(settingsPath, JSON.stringify({ idleTimeoutSeconds: 60 }));
    const idle = lock();
    await idle.started();
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(50_000);
      await idle.input();
    }
    expect(fired).toBe(0);
    expect(idle.secondsLeft(60)).toBe(60);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toBe(1);
  });

  it('arms nothing while no session is open, and nothing after it stops', async () => {
    const idle = lock({ capMs: 1_000 });
    await idle.input();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toBe(0);
    expect(idle.secondsLeft(60)).toBeNull();
    await idle.started();
    idle.stopped();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toBe(0);
  });

  it('disabled (the CLI: the process is the session): never fires, reports no countdown', async () => {
    const idle = lock({ enabled: false, capMs: 1_000 });
    await idle.started();
    await vi.advanceTimersByTimeAsync(DEFAULT_IDLE_TIMEOUT_SECONDS * 1000 * 2);
    expect(fired).toBe(0);
    expect(idle.secondsLeft(DEFAULT_IDLE_TIMEOUT_SECONDS)).toBeNull();
  });

  it('the test cap only shortens the stored delay', async () => {
    writeFileSync(settingsPath, JSON.stringify({ idleTimeoutSeconds: 30 }));
    const idle = lock({ capMs: 120_000 });
    await idle.started();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(fired).toBe(1);
    const short = lock({ capMs: 1_500 });
    await short.started();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(fired).toBe(2);
  });

  it('configure stores the delay and applies it to the running countdown', async () => {
    const idle = lock();
    await idle.started();
    expect(await idle.seconds()).toBe(DEFAULT_IDLE_TIMEOUT_SECONDS);
    await idle.configure(45);
    expect(JSON.parse(readFileSync(settingsPath, 'utf8'))).toEqual({ idleTimeoutSeconds: 45 });
    await vi.advanceTimersByTimeAsync(45_000);
    expect(fired).toBe(1);
    await expect(idle.configure(5)).rejects.toMatchObject({ code: 'E_INVALID_INPUT' });
    await expect(idle.configure(45.5)).rejects.toMatchObject({ code: 'E_INVALID_INPUT' });
    expect(await idle.seconds()).toBe(45);
  });

  it('a damaged or out-of-range stored delay reads as the default, never as no lock', async () => {
    for (const content of [
      '{',
      JSON.stringify({ idleTimeoutSeconds: 0 }),
      JSON.stringify({ idleTimeoutSeconds: 1e9 }),
    ]) {
      writeFileSync(settingsPath, content);
      expect(await lock().seconds()).toBe(DEFAULT_IDLE_TIMEOUT_SECONDS);
    }
  });
});
