import { describe, expect, it, vi } from 'vitest';
import type { TokenClient, TokenHostOptions } from './token-client';
import { createTokenHostPool } from './token-host-pool';

function fakeStart() {
  const started: { modulePath: string; close: ReturnType<typeof vi.fn> }[] = [];
  const start = vi.fn(async (o: TokenHostOptions) => {
    const close = vi.fn(async () => undefined);
    started.push({ modulePath: o.modulePath, close });
    return { close, listTokens: async () => [] } as unknown as TokenClient;
  });
  return { start, started };
}

describe('token host pool', () => {
  it('starts one process per module however many consumers acquire it', async () => {
    const { start, started } = fakeStart();
    const pool = createTokenHostPool({}, start);
    const [a, b] = await Promise.all([pool.acquire('/m.so'), pool.acquire('/m.so')]);
    await pool.acquire('/other.so');
    expect(start).toHaveBeenCalledTimes(2);
    expect(started.map((s) => s.modulePath)).toEqual(['/m.so', '/other.so']);
    expect(typeof a.listTokens).toBe('function');
    await a.close();
    expect(started[0]?.close).not.toHaveBeenCalled();
    await a.close(); // a second close of the same lease changes nothing
    expect(started[0]?.close).not.toHaveBeenCalled();
    await b.close();
    expect(started[0]?.close).toHaveBeenCalledTimes(1);
  });

  it('starts a fresh process after the last lease was released, and retries after a failed start', async () => {
    const { start } = fakeStart();
    start.mockRejectedValueOnce(new Error('module missing'));
    const pool = createTokenHostPool({}, start);
    await expect(pool.acquire('/m.so')).rejects.toThrow('module missing');
    const c = await pool.acquire('/m.so');
    await c.close();
    await pool.acquire('/m.so');
    expect(start).toHaveBeenCalledTimes(3);
  });

  it('closes every process when the pool closes', async () => {
    const { start, started } = fakeStart();
    const pool = createTokenHostPool({}, start);
    await pool.acquire('/a.so');
    await pool.acquire('/b.so');
    await pool.close();
    expect(started.every((s) => s.close.mock.calls.length === 1)).toBe(true);
  });
});
