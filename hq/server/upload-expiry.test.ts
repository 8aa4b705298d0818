import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteRelayStore } from '../storage/sqlite-relay-store';
import { UploadExpiry } from './upload-expiry';

let dir: string;
let store: SqliteRelayStore;
const SENDER = 'a'.repeat(32);
const RECIPIENT = 'b'.repeat(32);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hq-expiry-'));
  store = SqliteRelayStore.open(dir);
  for (const [n, id] of [SENDER, RECIPIENT].entries()) {
    const key = Buffer.alloc(32, n + 1).toString('base64');
    await store.enrolDevice(
      {
        id,
        signPublicKey: key,
        boxPublicKey: key,
        enrolmentRequest: 'e30=',
        status: 'approved',
        officer: { address: `o${n}@mofa.example`, name: 'O', department: 'D', certificateFingerprint: 'f' },
      },
      1,
    );
  }
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('UploadExpiry', () => {
  it('deletes unfinished uploads older than the limit with their bytes, and nothing else', async () => {
    let now = 1_000_000;
    const announce = async (n: number, createdAt: number) => {
      const r = await store.createItem(
        {
          id: String(n).padStart(32, '0'),
          recipient: RECIPIENT,
          sender: SENDER,
          envelopeId: `env-${n}`,
          size: 100,
          sha256: '0'.repeat(64),
          createdAt,
        },
        10_000,
      );
      if (r.kind !== 'created') throw new Error(r.kind);
      const { written } = await store.blobs.writeAt(r.item.id, 0, Readable.from([Buffer.alloc(40)]), 100);
      await store.setItemOffset(r.item.id, written);
      return r.item.id;
    };
    const stale = await announce(1, now - 25 * 3600_000);
    const fresh = await announce(2, now - 3600_000);
    const done = await announce(3, now - 48 * 3600_000);
    await store.completeItem(done);
    const logs: string[] = [];
    const expiry = new UploadExpiry(
      store,
      { uploadExpiryMs: 24 * 3600_000, uploadSweepIntervalMs: 60_000 },
      (l) => logs.push(l),
      () => now,
    );
    expect(await store.storedBytes(RECIPIENT)).toBe(40 + 40 + 100);
    await expiry.sweep();
    expect(await store.getItem(stale)).toBeUndefined();
    expect(await store.blobs.list()).not.toContain(stale);
    expect((await store.getItem(fresh))?.state).toBe('uploading');
    expect((await store.getItem(done))?.state).toBe('complete');
    expect(await store.storedBytes(RECIPIENT)).toBe(40 + 100);
    expect(logs).toEqual(['expired 1 unfinished upload(s)']);
    now += 24 * 3600_000;
    await expiry.sweep();
    expect(await store.getItem(fresh)).toBeUndefined();
  });
});
