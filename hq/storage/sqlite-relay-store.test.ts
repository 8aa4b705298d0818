import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewMailItem } from './relay-store';
import { SqliteRelayStore } from './sqlite-relay-store';

/** The store contract a PostgreSQL implementation will have to pass too. */
let dir: string;
let store: SqliteRelayStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hq-store-'));
  store = SqliteRelayStore.open(dir);
  for (const id of ['a'.repeat(32), 'b'.repeat(32)]) {
    await store.enrolDevice({ id, signPublicKey: `sk-${id}`, boxPublicKey: 'bk', enrolmentRequest: 'rq' }, 1);
    await store.setDeviceStatus(id, 'approved', 2);
  }
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const item = (n: number, size = 10): NewMailItem => ({
  id: n.toString(16).padStart(32, '0'),
  recipient: 'b'.repeat(32),
  sender: 'a'.repeat(32),
  envelopeId: `env-${String(n).padStart(6, '0')}`,
  size,
  sha256: '0'.repeat(64),
  createdAt: n,
});

describe('SqliteRelayStore', () => {
  it('creates idempotently per sender and envelope id, and enforces the pending quota atomically', async () => {
    expect((await store.createItem(item(1), 25)).kind).toBe('created');
    expect((await store.createItem({ ...item(1), id: 'f'.repeat(32) }, 25)).kind).toBe('existing');
    expect((await store.createItem({ ...item(1), size: 11 }, 25)).kind).toBe('conflict');
    expect((await store.createItem(item(2), 25)).kind).toBe('created');
    expect(await store.createItem(item(3), 25)).toEqual({ kind: 'quota', pendingBytes: 20 });
  });

  it('gives cursors at completion, lists after a cursor, and stores the acknowledged prefix', async () => {
    for (const n of [1, 2, 3]) await store.createItem(item(n), 1000);
    // Completion order, not creation order, decides the mailbox order.
    const c3 = await store.completeItem(item(3).id);
    const c1 = await store.completeItem(item(1).id);
    expect(c1.cursor).toBeGreaterThan(c3.cursor);
    expect((await store.completeItem(item(1).id)).cursor).toBe(c1.cursor); // idempotent
    expect((await store.listInbox('b'.repeat(32), 0, 10)).map((i) => i.id)).toEqual([item(3).id, item(1).id]);
    expect((await store.listInbox('b'.repeat(32), c3.cursor, 10)).map((i) => i.id)).toEqual([item(1).id]);
    expect(await store.listInbox('a'.repeat(32), 0, 10)).toEqual([]);

    await store.ackItem(item(1).id); // out of order: the stored cursor stays below item 3
    expect(await store.getCursor('b'.repeat(32))).toBe(c3.cursor - 1);
    await store.ackItem(item(3).id);
    expect(await store.getCursor('b'.repeat(32))).toBe(c1.cursor);
    expect(await store.listInbox('b'.repeat(32), 0, 10)).toEqual([]);
    // Acknowledged bytes no longer count against the quota.
    expect((await store.createItem(item(4, 990), 1000)).kind).toBe('created');
  });

  it('never moves a completed item back, and keeps revocation final', async () => {
    await store.createItem(item(1), 1000);
    await store.completeItem(item(1).id);
    await store.setItemOffset(item(1).id, 3);
    expect((await store.getItem(item(1).id))?.offset).toBe(10);
    await store.setDeviceStatus('a'.repeat(32), 'revoked', 3);
    expect((await store.setDeviceStatus('a'.repeat(32), 'approved', 4))?.status).toBe('revoked');
    expect(await store.setDeviceStatus('c'.repeat(32), 'approved', 4)).toBeUndefined();
  });

  it('writes blobs at an offset, discarding what lay beyond it, and reports a source that fails', async () => {
    const id = item(1).id;
    expect(await store.blobs.writeAt(id, 0, Readable.from([Buffer.from('hello world')]), 100)).toEqual({
      written: 11,
    });
    await store.blobs.writeAt(id, 5, Readable.from([Buffer.from('!')]), 100);
    const failing = (async function* () {
      yield Buffer.from('??');
      throw new Error('cut');
    })();
    const r = await store.blobs.writeAt(id, 6, failing, 100);
    expect(r.written).toBe(2);
    expect(r.error).toBeInstanceOf(Error);
    const chunks: Buffer[] = [];
    for await (const c of store.blobs.read(id, 0, 7)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello!??');
    const over = await store.blobs.writeAt(id, 0, Readable.from([Buffer.alloc(10)]), 4);
    expect(over.written).toBe(4);
    expect(over.error).toBeDefined();
  });
});
