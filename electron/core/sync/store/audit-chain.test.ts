import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUDIT_BATCH_MAX_BYTES,
  AUDIT_CHECKPOINT_EVERY,
  AuditBatch,
  verifyDeviceLog,
  type AuditVerifyCrypto,
} from '../../../../shared/audit';
import { enrol, openStoreVault, T0, type StoreVault } from '../../../../tests/fixtures/sync-store-vault';
import { logEvent } from './refusal-log';

let v: StoreVault;
beforeEach(async () => {
  v = await openStoreVault();
});
afterEach(() => v.close());

const crypto = (v: StoreVault): AuditVerifyCrypto => ({
  hash: (input) => v.sodium.crypto_generichash(32, input, null),
  verify: (sig, msg, pk) => v.sodium.crypto_sign_verify_detached(sig, msg, pk),
});

/** Every batch the device would upload, opened with HQ's audit secret key. */
async function drain(v: StoreVault, hq: { publicKey: Uint8Array; privateKey: Uint8Array }) {
  const out: AuditBatch[] = [];
  for (;;) {
    const b = await v.run('audit.batch', { auditKey: hq.publicKey });
    if (!b) return out;
    const plain = v.sodium.crypto_box_seal_open(b.sealed, hq.publicKey, hq.privateKey);
    out.push(AuditBatch.parse(JSON.parse(new TextDecoder().decode(plain))));
    await v.run('audit.uploaded', { through: b.through, checkpointsThrough: b.checkpointsThrough });
  }
}

describe('sync store: audit chain', () => {
  it('chains 10,000 events, checkpoints them, and HQ verifies the sealed batches', async () => {
    const me = await enrol(v);
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      kind: 'sign.done' as const,
      refs: { documentId: `doc-${i}` },
      at: T0 + i,
    }));
    for (let i = 0; i < events.length; i += 1000)
      await v.run('audit.append', { events: events.slice(i, i + 1000) });
    await v.run('audit.checkpoint', { at: T0 + 10_001 });
    const list = await v.run('audit.list', { limit: 3 });
    expect(list.total).toBe(10_000);
    expect(list.entries.map((e) => e.seq)).toEqual([10_000, 9_999, 9_998]);
    const hq = v.sodium.crypto_box_keypair();
    const batches = await drain(v, hq);
    const report = verifyDeviceLog(me.deviceId, me.signPublicKey, batches, crypto(v));
    expect(report.problems).toEqual([]);
    expect(report.entries).toBe(10_000);
    expect(report.checkpoints).toBe(Math.floor(10_000 / AUDIT_CHECKPOINT_EVERY) + 1);
    expect(report.lastCheckpoint?.count).toBe(10_000);
    expect(report.uncheckpointed).toBe(0);
    // Nothing left to send, and a wrong key opens nothing.
    expect(await v.run('audit.batch', { auditKey: hq.publicKey })).toBeNull();
  });

  it('records sync events in the chain in their own transaction, ids and codes only', async () => {
    await enrol(v);
    logEvent(v.ctx, { at: T0, event: 'rejected', code: 'E_ENVELOPE_SIGNATURE', itemId: 'b'.repeat(32) });
    // A reference the log refuses (free text) is dropped, the event kept.
    logEvent(v.ctx, { at: T0 + 1, event: 'queued', envelopeId: 'no spaces allowed here' });
    const { entries } = await v.run('audit.list', { limit: 10 });
    expect(entries).toEqual([
      { seq: 2, at: T0 + 1, kind: 'sync.queued', refs: {} },
      {
        seq: 1,
        at: T0,
        kind: 'sync.rejected',
        refs: { code: 'E_ENVELOPE_SIGNATURE', itemId: 'b'.repeat(32) },
      },
    ]);
  });

  it("keeps every batch under the relay's body limit whatever the entries hold", async () => {
    const me = await enrol(v);
    const big = {
      documentId: 'd'.repeat(64),
      attachmentId: 'a'.repeat(64),
      outboxId: 'o'.repeat(64),
      envelopeId: 'e'.repeat(128),
      itemId: 'f'.repeat(32),
      deviceId: 'c'.repeat(32),
      code: `E_${'X'.repeat(60)}`,
      count: 1_000_000,
    };
    const events = Array.from({ length: 600 }, (_, i) => ({
      kind: 'sync.rejected' as const,
      refs: big,
      at: T0 + i,
    }));
    await v.run('audit.append', { events });
    await v.run('audit.checkpoint', { at: T0 + 700 });
    const hq = v.sodium.crypto_box_keypair();
    const bodies: number[] = [];
    const batches: AuditBatch[] = [];
    for (;;) {
      const b = await v.run('audit.batch', { auditKey: hq.publicKey });
      if (!b) break;
      const body = JSON.stringify({
        first: b.first,
        count: b.count,
        sealed: Buffer.from(b.sealed).toString('base64'),
      });
      bodies.push(Buffer.byteLength(body));
      const plain = v.sodium.crypto_box_seal_open(b.sealed, hq.publicKey, hq.privateKey);
      expect(plain.length).toBeLessThanOrEqual(AUDIT_BATCH_MAX_BYTES);
      batches.push(AuditBatch.parse(JSON.parse(new TextDecoder().decode(plain))));
      await v.run('audit.uploaded', { through: b.through, checkpointsThrough: b.checkpointsThrough });
    }
    expect(Math.max(...bodies)).toBeLessThanOrEqual(80 * 1024);
    expect(batches.length).toBeGreaterThan(600 / 128);
    const report = verifyDeviceLog(me.deviceId, me.signPublicKey, batches, crypto(v));
    expect(report).toMatchObject({ ok: true, entries: 600, lastCheckpoint: { count: 600 } });
  });

  it('refuses free text in references at the boundary', async () => {
    await expect(
      v.run('audit.append', {
        events: [{ kind: 'sign.done', at: T0, refs: { documentId: 'Công hàm số 12' } }],
      }),
    ).rejects.toThrow(/pattern/);
    await expect(
      v.run('audit.append', { events: [{ kind: 'sign.done', at: T0, refs: { title: 'x' } as never }] }),
    ).rejects.toThrow(/nrecognized/);
  });

  it('signs nothing before enrolment; the first checkpoint after covers all before', async () => {
    await v.run('audit.append', { events: [{ kind: 'vault.unlocked', refs: {}, at: T0 }] });
    expect((await v.run('audit.checkpoint', { at: T0 + 1 })).signed).toBeNull();
    await enrol(v);
    expect((await v.run('audit.checkpoint', { at: T0 + 2 })).signed).toBe(1);
    expect((await v.run('audit.checkpoint', { at: T0 + 3 })).signed).toBeNull();
  });
});
