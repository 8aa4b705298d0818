import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';
import { inTransaction, lockName } from './pg-pool';
import type { AuditBatchRecord, PutAuditResult } from './relay-store';

/**
 * The audit mailbox in both stores: sealed batches per device, kept in arrival order. The
 * relay cannot open them; identical bytes are kept once (a retried upload), and a device's
 * batch count is capped in the same transaction as the insert.
 */

type Db = InstanceType<typeof Database>;

interface AuditRow {
  device: string;
  first: number | string;
  count: number;
  sealed: Buffer;
  received_at: number | string;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const toRecord = (r: AuditRow): AuditBatchRecord => ({
  device: r.device,
  first: Number(r.first),
  count: r.count,
  sealed: new Uint8Array(r.sealed),
  receivedAt: Number(r.received_at),
});

export function sqlitePutAuditBatch(db: Db, b: AuditBatchRecord, maxBatches: number): PutAuditResult {
  const digest = sha256(b.sealed);
  return db
    .transaction((): PutAuditResult => {
      if (db.prepare('SELECT 1 FROM audit_batches WHERE sha256 = ?').get(digest)) return 'duplicate';
      const held = db
        .prepare('SELECT count(*) FROM audit_batches WHERE device = ?')
        .pluck()
        .get(b.device) as number;
      if (held >= maxBatches) return 'quota';
      db.prepare(
        'INSERT INTO audit_batches (device, first, count, sha256, sealed, received_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(b.device, b.first, b.count, digest, Buffer.from(b.sealed), b.receivedAt);
      return 'stored';
    })
    .immediate();
}

export function sqliteListAuditBatches(db: Db, device: string): AuditBatchRecord[] {
  return (
    db.prepare('SELECT * FROM audit_batches WHERE device = ? ORDER BY id').all(device) as AuditRow[]
  ).map(toRecord);
}

export async function pgPutAuditBatch(
  pool: pg.Pool,
  b: AuditBatchRecord,
  maxBatches: number,
): Promise<PutAuditResult> {
  const digest = sha256(b.sealed);
  return inTransaction(pool, async (c) => {
    // One device's uploads in turn, so the count and the insert agree across instances.
    await lockName(c, `audit:${b.device}`);
    if ((await c.query('SELECT 1 FROM audit_batches WHERE sha256 = $1', [digest])).rowCount)
      return 'duplicate';
    const { rows } = await c.query<{ n: string }>(
      'SELECT count(*) AS n FROM audit_batches WHERE device = $1',
      [b.device],
    );
    if (Number(rows[0]?.n ?? 0) >= maxBatches) return 'quota';
    await c.query(
      'INSERT INTO audit_batches (device, first, count, sha256, sealed, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [b.device, b.first, b.count, digest, Buffer.from(b.sealed), b.receivedAt],
    );
    return 'stored';
  });
}

export async function pgListAuditBatches(pool: pg.Pool, device: string): Promise<AuditBatchRecord[]> {
  const { rows } = await pool.query<AuditRow>('SELECT * FROM audit_batches WHERE device = $1 ORDER BY id', [
    device,
  ]);
  return rows.map(toRecord);
}
