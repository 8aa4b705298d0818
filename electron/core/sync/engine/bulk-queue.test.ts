import { describe, expect, it } from 'vitest';
import type { InboxItem } from '../../../../shared/sync/relay-protocol';
import { createBulkQueue } from './bulk-queue';

const MiB = 1024 * 1024;
const item = (cursor: number): InboxItem => ({
  id: cursor.toString(16).padStart(32, '0'),
  sender: '33'.repeat(16),
  envelopeId: `envelope-${cursor}`,
  size: 2 * MiB,
  sha256: '00'.repeat(32),
  cursor,
  createdAt: 0,
});

/** A receive the test completes item by item; it records what ran and how many at once. */
function gatedReceive() {
  const started: number[] = [];
  const gates = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  let active = 0;
  let maxActive = 0;
  const receive = (i: InboxItem) =>
    new Promise<void>((resolve, reject) => {
      started.push(i.cursor);
      maxActive = Math.max(maxActive, ++active);
      gates.set(i.cursor, {
        resolve: () => {
          active--;
          resolve();
        },
        reject: (e) => {
          active--;
          reject(e);
        },
      });
    });
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    receive,
    started,
    maxActive: () => maxActive,
    done: async (cursor: number) => {
      gates.get(cursor)?.resolve();
      await settle();
    },
    fail: async (cursor: number, e: unknown) => {
      gates.get(cursor)?.reject(e);
      await settle();
    },
  };
}

describe('bulk queue', () => {
  it('downloads large items one at a time, in the order queued', async () => {
    const r = gatedReceive();
    let wakes = 0;
    const q = createBulkQueue(r.receive, new AbortController().signal, () => void wakes++);
    q.enqueue(item(3));
    q.enqueue(item(1));
    q.enqueue(item(2));
    expect(r.started).toEqual([3]);
    expect(q.idle()).toBe(false);
    await r.done(3);
    expect(r.started).toEqual([3, 1]);
    await r.done(1);
    await r.done(2);
    expect(r.started).toEqual([3, 1, 2]);
    expect(r.maxActive()).toBe(1);
    expect(q.idle()).toBe(true);
    // A wake after each item and one when the queue ran dry: a waiting pass looks again.
    expect(wakes).toBe(4);
  });

  it('queues an item listed again while queued or downloading only once', async () => {
    const r = gatedReceive();
    const q = createBulkQueue(r.receive, new AbortController().signal, () => undefined);
    q.enqueue(item(1));
    q.enqueue(item(2));
    q.enqueue(item(1));
    q.enqueue(item(2));
    await r.done(1);
    await r.done(2);
    expect(r.started).toEqual([1, 2]);
  });

  it('reports the cursors of items queued or downloading, and forgets those done', async () => {
    const r = gatedReceive();
    const q = createBulkQueue(r.receive, new AbortController().signal, () => undefined);
    q.enqueue(item(5));
    q.enqueue(item(9));
    expect(q.pending().sort()).toEqual([5, 9]);
    await r.done(5);
    expect(q.pending()).toEqual([9]);
    await r.done(9);
    expect(q.pending()).toEqual([]);
  });

  it('stops at the first failure, keeps it for the round, and refuses more items', async () => {
    const r = gatedReceive();
    const q = createBulkQueue(r.receive, new AbortController().signal, () => undefined);
    q.enqueue(item(1));
    q.enqueue(item(2));
    const cut = new Error('cut');
    await r.fail(1, cut);
    expect(q.failure()).toBe(cut);
    expect(r.started).toEqual([1]);
    expect(q.idle()).toBe(true);
    // The failed item stays pending: the inbox cursor must not pass it.
    expect(q.pending().sort()).toEqual([1, 2]);
    q.enqueue(item(3));
    expect(r.started).toEqual([1]);
  });

  it('starts nothing more once the round is aborted', async () => {
    const r = gatedReceive();
    const abort = new AbortController();
    const q = createBulkQueue(r.receive, abort.signal, () => undefined);
    q.enqueue(item(1));
    q.enqueue(item(2));
    abort.abort();
    await r.done(1);
    expect(r.started).toEqual([1]);
    expect(q.idle()).toBe(true);
  });
});
