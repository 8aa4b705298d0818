import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELAY_BACKENDS, stopPgCluster, type OpenedBackend } from '../../tests/fixtures/relay-backends';
import type { NewDevice, NewMailItem, PrekeyRecord, RelayStore } from './relay-store';
import { RELAY_DB_FILE, SqliteRelayStore } from './sqlite-relay-store';
import Database from 'better-sqlite3-multiple-ciphers';

const newDevice = (id: string, status: 'pending' | 'approved' = 'pending'): NewDevice => ({
  id,
  signPublicKey: `sk-${id}`,
  boxPublicKey: 'bk',
  enrolmentRequest: 'rq',
  officer: {
    address: `o-${id.slice(0, 4)}@x`,
    name: 'N',
    department: 'D',
    certificateFingerprint: 'f'.repeat(64),
  },
  status,
});

afterAll(stopPgCluster);

const item = (n: number, size = 10): NewMailItem => ({
  id: n.toString(16).padStart(32, '0'),
  recipient: 'b'.repeat(32),
  sender: 'a'.repeat(32),
  envelopeId: `env-${String(n).padStart(6, '0')}`,
  size,
  sha256: '0'.repeat(64),
  createdAt: n,
});

/** The store contract, held by the SQLite and the PostgreSQL store alike. */
describe.each(RELAY_BACKENDS)('relay store on $name', (backend) => {
  let opened: OpenedBackend;
  let store: RelayStore;

  beforeEach(async () => {
    opened = await backend.open();
    store = opened.store;
    for (const id of ['a'.repeat(32), 'b'.repeat(32)]) {
      await store.enrolDevice(newDevice(id), 1);
      await store.setDeviceStatus(id, 'approved', 2);
    }
  });
  afterEach(async () => {
    await store.close();
    opened.cleanup();
  });

  it('keeps sealed audit batches per device in arrival order, the same bytes once, up to a cap', async () => {
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const batch = (device: string, first: number, fill: number) => ({
      device,
      first,
      count: 3,
      sealed: new Uint8Array(64).fill(fill),
      receivedAt: 100 + first,
    });
    expect(await store.putAuditBatch(batch(a, 4, 2), 3)).toBe('stored');
    expect(await store.putAuditBatch(batch(a, 1, 1), 3)).toBe('stored');
    expect(await store.putAuditBatch(batch(a, 1, 1), 3)).toBe('duplicate');
    expect(await store.putAuditBatch(batch(b, 1, 3), 3)).toBe('stored');
    expect(await store.putAuditBatch(batch(a, 7, 4), 3)).toBe('stored');
    expect(await store.putAuditBatch(batch(a, 10, 5), 3)).toBe('quota');
    const held = await store.listAuditBatches(a);
    expect(held.map((h) => [h.first, h.count, h.sealed[0], h.receivedAt])).toEqual([
      [4, 3, 2, 104],
      [1, 3, 1, 101],
      [7, 3, 4, 107],
    ]);
    expect(held[0]?.sealed).toEqual(new Uint8Array(64).fill(2));
    expect((await store.listAuditBatches(b)).length).toBe(1);
    // Another handle on the same data (a restarted relay, the admin tool) sees the same.
    const again = await opened.reopen();
    try {
      expect((await again.listAuditBatches(a)).map((h) => h.first)).toEqual([4, 1, 7]);
    } finally {
      await again.close();
    }
  });

  it('creates idempotently per sender and envelope id, and enforces the pending quota atomically', async () => {
    expect((await store.createItem(item(1), 25)).kind).toBe('created');
    expect((await store.createItem({ ...item(1), id: 'f'.repeat(32) }, 25)).kind).toBe('existing');
    expect((await store.createItem({ ...item(1), size: 11 }, 25)).kind).toBe('conflict');
    expect((await store.createItem(item(2), 25)).kind).toBe('created');
    // The quota counts stored bytes (issue 14): 10 of item 1 arrived, item 2 completed.
    await store.setItemOffset(item(1).id, 10);
    await store.completeItem(item(2).id);
    expect(await store.storedBytes('b'.repeat(32))).toBe(20);
    expect(await store.createItem(item(3), 25)).toEqual({ kind: 'quota', pendingBytes: 20 });
  });

  it('holds no quota for a declaration alone, caps open uploads per sender, and expires unfinished ones', async () => {
    // Ten 1,000-byte declarations with nothing sent hold none of a 100-byte quota.
    for (let n = 1; n <= 10; n++)
      expect((await store.createItem(item(n, 1000 + n), 1100, 10)).kind).toBe('created');
    expect(await store.storedBytes('b'.repeat(32))).toBe(0);
    expect(await store.createItem(item(11, 50), 1100, 10)).toEqual({ kind: 'busy', openUploads: 10 });
    // Another sender is not held back by the first one's open uploads.
    await store.enrolDevice(newDevice('c'.repeat(32)), 1);
    expect((await store.createItem({ ...item(12, 50), sender: 'c'.repeat(32) }, 1100, 10)).kind).toBe(
      'created',
    );
    await store.setItemOffset(item(1).id, 600);
    await store.completeItem(item(2).id);
    // Announced before t=6 and unfinished: 1, 3, 4, 5 (2 is complete); bytes of 1 free the quota.
    expect((await store.expireUploads(6)).sort()).toEqual([1, 3, 4, 5].map((n) => item(n).id));
    expect(await store.getItem(item(1).id)).toBeUndefined();
    expect((await store.getItem(item(2).id))?.state).toBe('complete');
    expect(await store.storedBytes('b'.repeat(32))).toBe(1002);
    expect((await store.createItem(item(13, 50), 1100, 10)).kind).toBe('created');
  });

  it('answers whole items asked for at once (one group commit) each as if alone, in the order asked', async () => {
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const bytes = (n: number, size = 10) => Buffer.alloc(size, n);
    const results = await Promise.all([
      store.createWholeItem(item(1), bytes(1), 25),
      store.createWholeItem({ ...item(1), id: 'f'.repeat(32) }, bytes(1), 25),
      store.createWholeItem({ ...item(1), id: 'e'.repeat(32), size: 11 }, bytes(1, 11), 25),
      store.createWholeItem(item(2), bytes(2), 25),
      store.createWholeItem(item(3), bytes(3), 25),
      store.createWholeItem({ ...item(4), recipient: a, sender: b }, bytes(4), 25),
    ]);
    expect(results.map((r) => r.kind)).toEqual([
      'created',
      'existing',
      'conflict',
      'created',
      'quota',
      'created',
    ]);
    expect(results[4]).toEqual({ kind: 'quota', pendingBytes: 20 });
    const first = results[0] as { item: { id: string; cursor: number; state: string } };
    expect(results[1]).toMatchObject({ item: { id: item(1).id } });
    const second = results[3] as { item: { cursor: number; state: string } };
    expect([first.item.state, second.item.state]).toEqual(['complete', 'complete']);
    expect(second.item.cursor).toBeGreaterThan(first.item.cursor);
    expect((await store.listInbox(b, 0, 10)).map((i) => i.id)).toEqual([item(1).id, item(2).id]);
    expect((await store.listInbox(a, 0, 10)).map((i) => i.id)).toEqual([item(4).id]);
    for (const n of [1, 2, 4]) {
      const chunks: Buffer[] = [];
      for await (const c of store.blobs.read(item(n).id, 0, 9)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks)).toEqual(bytes(n));
    }
    expect(await store.getItem(item(3).id)).toBeUndefined();
    expect(await store.getItem('e'.repeat(32))).toBeUndefined();
  });

  it('fails only the whole item that fails, not the others asked for with it', async () => {
    const results = await Promise.allSettled([
      store.createWholeItem(item(1), Buffer.alloc(10, 1), 100),
      store.createWholeItem({ ...item(2), recipient: 'd'.repeat(32) }, Buffer.alloc(10, 2), 100),
      store.createWholeItem(item(3), Buffer.alloc(10, 3), 100),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await store.listInbox('b'.repeat(32), 0, 10)).map((i) => i.id)).toEqual([item(1).id, item(3).id]);
  });

  it('reads devices asked for at once each fresh, a revocation included', async () => {
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    const [ra, rb, none, again] = await Promise.all([
      store.getDevice(a),
      store.getDevice(b),
      store.getDevice('c'.repeat(32)),
      store.getDevice(a),
    ]);
    expect([ra?.id, rb?.id, none, again?.status]).toEqual([a, b, undefined, 'approved']);
    await store.setDeviceStatus(a, 'revoked', 3);
    const [after, other] = await Promise.all([store.getDevice(a), store.getDevice(b)]);
    expect([after?.status, other?.status]).toEqual(['revoked', 'approved']);
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

  it('stores prekeys all or none, keeps the newest, and bumps the serial on every change', async () => {
    const a = 'a'.repeat(32);
    const pk = (n: number, createdAt = n): PrekeyRecord => ({
      prekeyId: n.toString(16).padStart(32, '0'),
      publicKey: `pk${n}`,
      createdAt,
      signature: `sig${n}`,
    });
    const s0 = await store.getDirectorySerial();
    expect(s0).toBe(4); // two enrolments, two approvals
    expect(await store.putPrekeys(a, [pk(1), pk(3), pk(2)], 2)).toEqual({ kind: 'stored', current: pk(3) });
    const s1 = await store.getDirectorySerial();
    expect(s1).toBeGreaterThan(s0);
    // The same again: idempotent, no serial change.
    expect((await store.putPrekeys(a, [pk(3)], 2)).kind).toBe('stored');
    expect(await store.getDirectorySerial()).toBe(s1);
    // A conflict stores nothing of the request (pk 4 is not kept).
    expect(await store.putPrekeys(a, [pk(4), { ...pk(3), publicKey: 'other' }], 2)).toEqual({
      kind: 'conflict',
      prekeyId: pk(3).prekeyId,
    });
    expect(await store.getDirectorySerial()).toBe(s1);
    const snap = await store.getDirectorySnapshot();
    expect(snap.serial).toBe(s1);
    expect(snap.devices.map((d) => [d.id, d.prekey?.prekeyId])).toEqual([
      [a, pk(3).prekeyId],
      ['b'.repeat(32), undefined],
    ]);
    // A revoked device stays listed; a pending one is not.
    await store.enrolDevice(newDevice('c'.repeat(32)), 5);
    await store.setDeviceStatus(a, 'revoked', 6);
    const after = await store.getDirectorySnapshot();
    expect(after.serial).toBe(s1 + 2);
    expect(after.devices.map((d) => [d.id, d.status])).toEqual([
      [a, 'revoked'],
      ['b'.repeat(32), 'approved'],
    ]);
    // A no-op status change does not bump.
    await store.setDeviceStatus(a, 'revoked', 7);
    expect(await store.getDirectorySerial()).toBe(s1 + 2);
  });
});

describe('SqliteRelayStore', () => {
  it('opens a schema-1 file, keeping its devices but listing none of them (uncertified)', async () => {
    const old = mkdtempSync(join(tmpdir(), 'hq-store-v1-'));
    try {
      const db = new Database(join(old, RELAY_DB_FILE));
      db.exec(`CREATE TABLE devices (id TEXT PRIMARY KEY, status TEXT NOT NULL, sign_public_key TEXT NOT NULL UNIQUE,
        box_public_key TEXT NOT NULL, enrolment_request TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        INSERT INTO devices VALUES ('${'d'.repeat(32)}', 'approved', 'sk', 'bk', 'rq', 1, 1);`);
      db.close();
      const migrated = SqliteRelayStore.open(old);
      expect((await migrated.getDevice('d'.repeat(32)))?.officer).toBeUndefined();
      expect((await migrated.getDirectorySnapshot()).devices).toEqual([]);
      await migrated.close();
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
});
