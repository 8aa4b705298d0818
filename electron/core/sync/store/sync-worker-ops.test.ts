import { describe, expect, it } from 'vitest';
import { WORKER_OPS } from '../../vault/worker-protocol';
import { SYNC_WORKER_OPS, syncWorkerHandlers } from './sync-worker-ops';
import type { SyncStoreContext } from './store-context';

describe('sync worker operations: one registration point', () => {
  it('the vault worker protocol carries every sync operation, with its own schemas', () => {
    for (const [name, op] of Object.entries(SYNC_WORKER_OPS)) {
      const carried = (WORKER_OPS as Record<string, { input: unknown; output: unknown }>)[name];
      expect(carried?.input, name).toBe(op.input);
      expect(carried?.output, name).toBe(op.output);
    }
  });

  it('binds a handler for every operation, each run on the context the vault worker gives', async () => {
    const handlers = syncWorkerHandlers(() => Promise.reject(new Error('vault locked')));
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(SYNC_WORKER_OPS).sort());
    await expect(handlers['sync.identity']({})).rejects.toThrow('vault locked');
    const seen: unknown[] = [];
    const ctx = {
      db: { prepare: () => ({ get: () => seen.push('asked') && undefined }) },
    } as unknown as SyncStoreContext;
    expect(await syncWorkerHandlers(async () => ctx)['sync.identity']({})).toEqual({ identity: null });
    expect(seen).toEqual(['asked']);
  });

  it('every operation validates strictly: an unknown field is refused', () => {
    for (const [name, op] of Object.entries(SYNC_WORKER_OPS)) {
      expect(op.input.safeParse({ unexpected: true }).success, name).toBe(false);
    }
  });
});
