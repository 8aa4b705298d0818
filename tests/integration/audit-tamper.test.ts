import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditBatch,
  verifyDeviceLog,
  type AuditDeviceReport,
  type AuditProblemKind,
  type OpenedBatch,
} from '../../shared/audit';
import { enrol, openStoreVault, T0, type StoreVault } from '../fixtures/sync-store-vault';

/**
 * The attacks the audit log exists for, each on the device's vault (before the entries went to
 * HQ) and on HQ's copy (after): delete, edit, reorder and truncate entries. Every one must be
 * reported by HQ's check, with the entry it concerns; an untouched log must verify clean.
 */

const N = 300;
let v: StoreVault;
let me: { deviceId: string; signPublicKey: Uint8Array };
let hqKey: { publicKey: Uint8Array; privateKey: Uint8Array };

beforeEach(async () => {
  v = await openStoreVault();
  me = await enrol(v);
  hqKey = v.sodium.crypto_box_keypair();
  const events = Array.from({ length: N }, (_, i) => ({
    kind: (i % 2 ? 'sync.sent' : 'sign.done') as 'sync.sent' | 'sign.done',
    refs: { documentId: `doc-${i}` },
    at: T0 + i,
  }));
  await v.run('audit.append', { events });
  // The lock's checkpoint: the device signs the head (count 300).
  await v.run('audit.checkpoint', { at: T0 + N });
});
afterEach(() => v.close());

async function upload(): Promise<AuditBatch[]> {
  const out: AuditBatch[] = [];
  for (;;) {
    const b = await v.run('audit.batch', { auditKey: hqKey.publicKey });
    if (!b) return out;
    const plain = v.sodium.crypto_box_seal_open(b.sealed, hqKey.publicKey, hqKey.privateKey);
    out.push(AuditBatch.parse(JSON.parse(new TextDecoder().decode(plain))));
    await v.run('audit.uploaded', { through: b.through, checkpointsThrough: b.checkpointsThrough });
  }
}

function check(batches: readonly OpenedBatch[]): AuditDeviceReport {
  return verifyDeviceLog(me.deviceId, me.signPublicKey, batches, {
    hash: (input) => v.sodium.crypto_generichash(32, input, null),
    verify: (sig, msg, pk) => v.sodium.crypto_sign_verify_detached(sig, msg, pk),
  });
}

const kinds = (r: AuditDeviceReport): AuditProblemKind[] => [...new Set(r.problems.map((p) => p.kind))];
const sql = (q: string, ...args: unknown[]) => v.ctx.db.prepare(q).run(...args);

describe('audit log: an untouched log', () => {
  it('verifies clean: every entry held, the head signed', async () => {
    const r = check(await upload());
    expect(r).toMatchObject({ ok: true, entries: N, lastCheckpoint: { count: N }, uncheckpointed: 0 });
  });
});

describe('audit log: tampering on the device, before upload', () => {
  it('a deleted entry is a gap', async () => {
    sql('DELETE FROM audit_log WHERE seq = 100');
    const r = check(await upload());
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual({ kind: 'gap', seq: 100, to: 100 });
  });

  it('an edited entry no longer hashes to its hash', async () => {
    sql(`UPDATE audit_log SET kind = 'verify.done' WHERE seq = 100`);
    const r = check(await upload());
    expect(r.problems).toContainEqual({ kind: 'edited', seq: 100 });
  });

  it('an edited entry with its hash recomputed breaks the chain and the signed head', async () => {
    const row = v.ctx.db.prepare('SELECT prev FROM audit_log WHERE seq = 100').get() as { prev: Buffer };
    const { auditEntryInput } = await import('../../shared/audit');
    const forged = v.sodium.crypto_generichash(
      32,
      auditEntryInput(new Uint8Array(row.prev), 100, T0 + 99, 'verify.done', {}),
      null,
    );
    sql(`UPDATE audit_log SET kind = 'verify.done', refs = '{}', hash = ? WHERE seq = 100`, forged);
    const r = check(await upload());
    expect(r.problems).toContainEqual({ kind: 'chain-break', seq: 101 });
  });

  it('two entries swapped are reported', async () => {
    const a = v.ctx.db.prepare('SELECT * FROM audit_log WHERE seq = 100').get() as Record<string, unknown>;
    const b = v.ctx.db.prepare('SELECT * FROM audit_log WHERE seq = 101').get() as Record<string, unknown>;
    const put = v.ctx.db.prepare(
      'UPDATE audit_log SET at = ?, kind = ?, refs = ?, prev = ?, hash = ? WHERE seq = ?',
    );
    put.run(b.at, b.kind, b.refs, b.prev, b.hash, 100);
    put.run(a.at, a.kind, a.refs, a.prev, a.hash, 101);
    const r = check(await upload());
    expect(r.ok).toBe(false);
    expect(r.problems.some((p) => p.seq === 100 || p.seq === 101)).toBe(true);
  });

  it('a cut tail is truncation against the signed checkpoint', async () => {
    sql('DELETE FROM audit_log WHERE seq > 280');
    const r = check(await upload());
    expect(r.problems).toContainEqual({ kind: 'truncated', seq: 281, to: N });
  });

  it('a cut tail written over again is a fork at the signed head', async () => {
    sql('DELETE FROM audit_log WHERE seq > 280');
    await v.run('audit.append', {
      events: Array.from({ length: 30 }, (_, i) => ({
        kind: 'vault.unlocked' as const,
        refs: {},
        at: T0 + 1000 + i,
      })),
    });
    const r = check(await upload());
    expect(r.problems).toContainEqual({ kind: 'fork', seq: N });
  });

  it('entries already at HQ, rewritten on the device and sent again, are a fork', async () => {
    const first = await upload();
    sql(`UPDATE audit_log SET kind = 'verify.done' WHERE seq = 5`);
    sql('UPDATE audit_upload SET entries_through = 0, checkpoints_through = 0');
    const r = check([...first, ...(await upload())]);
    expect(r.problems).toContainEqual({ kind: 'fork', seq: 5 });
  });
});

describe("audit log: tampering with HQ's copy", () => {
  const edit = (batches: AuditBatch[], fn: (entries: AuditBatch['entries']) => void) => {
    const copy = structuredClone(batches);
    for (const b of copy) fn(b.entries);
    return copy;
  };

  it('a deleted entry is a gap', async () => {
    const r = check(
      edit(await upload(), (es) => {
        const i = es.findIndex((e) => e.seq === 150);
        if (i >= 0) es.splice(i, 1);
      }),
    );
    expect(r.problems).toEqual([{ kind: 'gap', seq: 150, to: 150 }]);
  });

  it('an edited entry is reported', async () => {
    const r = check(
      edit(await upload(), (es) => {
        const e = es.find((x) => x.seq === 150);
        if (e) e.refs = { documentId: 'doc-other' };
      }),
    );
    expect(r.problems).toEqual([{ kind: 'edited', seq: 150 }]);
  });

  it('reordered entries (numbers swapped) are reported', async () => {
    const r = check(
      edit(await upload(), (es) => {
        const a = es.find((x) => x.seq === 150);
        const b = es.find((x) => x.seq === 151);
        if (a && b) [a.seq, b.seq] = [b.seq, a.seq];
      }),
    );
    expect(kinds(r)).toContain('edited');
    expect(r.problems.map((p) => p.seq)).toEqual(expect.arrayContaining([150, 151]));
  });

  it('a cut tail is truncation', async () => {
    const r = check(
      edit(await upload(), (es) => {
        while (es.length && (es.at(-1)?.seq ?? 0) > 290) es.pop();
      }),
    );
    expect(r.problems).toEqual([{ kind: 'truncated', seq: 291, to: N }]);
  });

  it('a whole batch removed from the middle is a gap', async () => {
    const batches = await upload();
    const r = check([batches[0] as AuditBatch, ...batches.slice(2)]);
    expect(r.problems).toContainEqual({ kind: 'gap', seq: 129, to: 256 });
  });

  it('a forged checkpoint is a bad signature', async () => {
    const batches = await upload();
    const last = batches.flatMap((b) => b.checkpoints).find((c) => c.count === N);
    expect(last).toBeDefined();
    if (last) last.at += 1;
    expect(check(batches).problems).toContainEqual({ kind: 'bad-signature', seq: N });
  });

  it('a batch that does not open is unreadable', () => {
    expect(check([null]).problems).toEqual([{ kind: 'unreadable' }]);
  });
});
