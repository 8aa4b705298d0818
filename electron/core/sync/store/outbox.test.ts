import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  enrolledWithPeer,
  openStoreVault,
  T0,
  vaultDocument,
  type StoreVault,
} from '../../../../tests/fixtures/sync-store-vault';
import { ENVELOPE_CHUNK } from './outbox';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
  await enrolledWithPeer(v);
});
afterEach(() => v.close());

/** Queues one message to the peer; answers its outbox row. */
async function queued(text = 'x') {
  const { items } = await v.run('sync.send', {
    send: { kind: 'message', to: ['peer@hq.example'], title: 't', text },
    now: T0,
  });
  const item = items[0];
  if (!item) throw new Error('nothing queued');
  return item;
}

const chunkCount = (envelopeId: string) =>
  v.ctx.db.prepare('SELECT count(*) FROM sync_envelope_chunks WHERE envelope_id = ?').pluck().get(envelopeId);

describe('sync store: outbox', () => {
  it('reads back the sealed envelope in any pieces, across its storage chunks', async () => {
    // A document large enough for the envelope to span several 256 KiB storage chunks.
    const bytes = new Uint8Array(700_000).map((_, i) => i % 251);
    const documentId = vaultDocument(v, { name: 'scan.bin', mediaType: 'application/octet-stream', bytes });
    const { items } = await v.run('sync.send', {
      send: { kind: 'document', to: ['peer@hq.example'], documentId },
      now: T0,
    });
    const item = items[0];
    if (!item) return;
    expect(item.bytes).toBeGreaterThan(2 * ENVELOPE_CHUNK);
    const [due] = (await v.run('sync.outbox.due', { now: T0, limit: 10 })).items;
    const whole = (await v.run('sync.outbox.read', { id: item.id, offset: 0, length: item.bytes })).bytes;
    expect(createHash('sha256').update(whole).digest('hex')).toBe(due?.sha256);
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < item.bytes; at += 100_003) {
      pieces.push((await v.run('sync.outbox.read', { id: item.id, offset: at, length: 100_003 })).bytes);
    }
    expect(Buffer.concat(pieces)).toEqual(Buffer.from(whole));
    expect(
      (await v.run('sync.outbox.read', { id: item.id, offset: item.bytes + 5, length: 10 })).bytes,
    ).toHaveLength(0);
    expect(await v.refusal('sync.outbox.read', { id: 'nope', offset: 0, length: 1 })).toBe('E_NOT_FOUND');
  });

  it('lists, counts and hands out due rows; progress and errors are kept', async () => {
    const item = await queued();
    expect(await v.run('sync.outbox.stats', {})).toEqual({ count: 1, bytes: item.bytes, failed: 0 });
    expect((await v.run('sync.outbox.list', { limit: 10 })).items.map((i) => i.id)).toEqual([item.id]);
    const progress = await v.run('sync.outbox.update', {
      id: item.id,
      state: 'sending',
      sentBytes: 10,
      attempt: true,
      error: { code: 'E_NETWORK', message: 'cut' },
      nextAttemptAt: T0 + 60_000,
      now: T0,
    });
    expect(progress).toMatchObject({
      state: 'sending',
      sentBytes: 10,
      attempts: 1,
      lastError: { code: 'E_NETWORK' },
    });
    expect((await v.run('sync.outbox.due', { now: T0, limit: 10 })).items).toEqual([]);
    expect(
      (await v.run('sync.outbox.due', { now: T0 + 60_000, limit: 10 })).items.map((i) => i.sentBytes),
    ).toEqual([10]);
    expect((await v.run('sync.outbox.stats', {})).bytes).toBe(item.bytes - 10);
    const cleared = await v.run('sync.outbox.update', { id: item.id, error: null, now: T0 });
    expect(cleared.lastError).toBeUndefined();
  });

  it('drops the envelope once sent, and a late report never resurrects the row', async () => {
    const item = await queued();
    expect(chunkCount(item.envelopeId)).toBe(1);
    const sent = await v.run('sync.outbox.update', {
      id: item.id,
      state: 'sent',
      sentBytes: item.bytes,
      now: T0 + 9,
    });
    expect(sent).toMatchObject({ state: 'sent', sentAt: T0 + 9 });
    expect(chunkCount(item.envelopeId)).toBe(0);
    const late = await v.run('sync.outbox.update', {
      id: item.id,
      state: 'sending',
      sentBytes: 1,
      now: T0 + 10,
    });
    expect(late).toMatchObject({ state: 'sent', sentBytes: item.bytes });
    const audit = await v.run('sync.audit', { limit: 10 });
    expect(audit.events[0]).toMatchObject({ event: 'sent', envelope_id: item.envelopeId });
  });

  it('retries only failed rows, and cancels a row for good', async () => {
    const item = await queued();
    expect((await v.run('sync.outbox.retry', { id: item.id, now: T0 })).state).toBe('queued');
    await v.run('sync.outbox.update', { id: item.id, state: 'failed', attempt: true, now: T0 });
    expect((await v.run('sync.outbox.stats', {})).failed).toBe(1);
    const retried = await v.run('sync.outbox.retry', { id: item.id, now: T0 + 5 });
    expect(retried).toMatchObject({ state: 'queued', attempts: 0 });
    const cancelled = await v.run('sync.outbox.cancel', { id: item.id, now: T0 + 6 });
    expect(cancelled.state).toBe('cancelled');
    expect(chunkCount(item.envelopeId)).toBe(0);
    expect((await v.run('sync.outbox.retry', { id: item.id, now: T0 + 7 })).state).toBe('cancelled');
    expect((await v.run('sync.outbox.update', { id: item.id, state: 'queued', now: T0 + 8 })).state).toBe(
      'cancelled',
    );
    expect(await v.refusal('sync.outbox.cancel', { id: 'nope', now: T0 })).toBe('E_NOT_FOUND');
    expect(await v.refusal('sync.outbox.retry', { id: 'nope', now: T0 })).toBe('E_NOT_FOUND');
  });
});
