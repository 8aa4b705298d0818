import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';
import { PG_CHUNK_BYTES } from '../storage/pg-blob-store';
import { inTransaction } from '../storage/pg-pool';
import { PgRelayStore } from '../storage/pg-relay-store';
import { RELAY_DB_FILE, SqliteRelayStore } from '../storage/sqlite-relay-store';
import { AdminError, AdminErrorCode } from './device-admin';

/** What `embassy hq migrate` moved and checked. */
export interface MigrationReport {
  readonly devices: number;
  readonly prekeys: number;
  /** Mail items by state. */
  readonly items: { readonly uploading: number; readonly complete: number; readonly acked: number };
  readonly cursors: number;
  /** Sealed audit batches (copied as they are: the relay cannot open them). */
  readonly auditBatches: number;
  readonly directorySerial: number;
  /** Items whose bytes were copied, and the bytes. */
  readonly blobs: number;
  readonly bytes: number;
  /** Items whose bytes were read back from PostgreSQL and hashed equal to the source. */
  readonly verified: number;
}

type Row = Record<string, unknown>;

/** Columns copied as they are, per table (the two schemas share names and meanings). */
const TABLES = {
  devices: [
    'id', 'status', 'sign_public_key', 'box_public_key', 'enrolment_request', 'created_at', 'updated_at',
    'officer_address', 'officer_name', 'officer_department', 'certificate_fingerprint', 'approved_by_ca',
  ],
  prekeys: ['device', 'prekey_id', 'public_key', 'created_at', 'signature'],
  mail_items: [
    'id', 'recipient', 'sender', 'envelope_id', 'size', 'sha256', 'state', 'received', 'cursor', 'created_at',
  ],
  device_cursors: ['device', 'cursor'],
  audit_batches: ['id', 'device', 'first', 'count', 'sha256', 'sealed', 'received_at'],
  // The directory's chain: without it the next version would start a new chain, which every
  // workstation refuses as a fork.
  directory_versions: ['serial', 'issued_at', 'digest', 'link', 'previous_serial', 'previous_link'],
  admin_log: ['id', 'at', 'action', 'device', 'detail'],
} as const; // prettier-ignore

const ROWS_PER_INSERT = 500;
/** Bytes of chunks per copying transaction. */
const BYTES_PER_TRANSACTION = 16 * 1024 * 1024;

async function insertRows(c: pg.PoolClient, table: keyof typeof TABLES, rows: readonly Row[]): Promise<void> {
  const cols = TABLES[table];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const batch = rows.slice(i, i + ROWS_PER_INSERT);
    const values: unknown[] = [];
    const tuples = batch.map((r, k) => {
      for (const col of cols) values.push(r[col] ?? null);
      return `(${cols.map((_, j) => `$${k * cols.length + j + 1}`).join(', ')})`;
    });
    await c.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

/** The bytes of an item the source holds: `length` bytes of `blobs/<id>`, or none if absent. */
async function readBlob(dataDir: string, id: string, length: number): Promise<Buffer | undefined> {
  const path = join(dataDir, 'blobs', id);
  if (length === 0 || !existsSync(path)) return undefined;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    if (bytesRead < length)
      throw new AdminError(AdminErrorCode.InvalidInput, `item ${id} has fewer bytes than recorded`);
    return buf;
  } finally {
    await fh.close();
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * Moves a single-machine relay (`DATA_DIR/relay.sqlite` and `DATA_DIR/blobs/`) into an empty
 * PostgreSQL database: devices, prekeys, the directory serial and chain, mailboxes with their cursors and
 * acknowledged prefixes, and the bytes of every item not yet acknowledged. The relay must be
 * stopped (what arrives during the copy would be left behind). Then it checks: every table's
 * row count, and each item's bytes read back from PostgreSQL hash to what the source holds
 * (and, for a complete item, to the SHA-256 its sender declared). The identity, trusted CAs and
 * CRLs stay in DATA_DIR: each instance gets a copy of that folder.
 */
export async function migrateToPostgres(dataDir: string, url: string): Promise<MigrationReport> {
  if (!existsSync(join(dataDir, RELAY_DB_FILE))) {
    throw new AdminError(AdminErrorCode.NoRelayData, `no relay data in ${dataDir}`);
  }
  // Brings an older file to the current schema first (as `hq serve` would).
  await SqliteRelayStore.open(dataDir).close();
  const source = new Database(join(dataDir, RELAY_DB_FILE), { readonly: true });
  const target = await PgRelayStore.open(url);
  try {
    const read = (table: keyof typeof TABLES) => source.prepare(`SELECT * FROM ${table}`).all() as Row[];
    const devices = read('devices');
    const prekeys = read('prekeys');
    const items = read('mail_items');
    const cursors = read('device_cursors');
    const audit = read('audit_batches');
    const versions = read('directory_versions');
    const adminLog = read('admin_log');
    const serial =
      (
        source.prepare(`SELECT value FROM meta WHERE key = 'directory_serial'`).get() as
          { value: number } | undefined
      )?.value ?? 0;
    const present = (await target.pool.query<{ n: number }>('SELECT count(*)::bigint AS n FROM devices'))
      .rows[0];
    if ((present?.n ?? 0) > 0) {
      throw new AdminError(AdminErrorCode.InvalidInput, 'the target database already holds a relay');
    }
    // Bytes an earlier, failed run left behind (its metadata never committed).
    await target.pool.query('DELETE FROM item_chunks');

    // Bytes first, in batches: they reference nothing, and the metadata commits only after them.
    const withBytes = items.filter((r) => r.state !== 'acked' && Number(r.received) > 0);
    const expected = new Map<string, string>();
    let bytes = 0;
    let batch: { id: string; start: number; data: Buffer }[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      batchBytes = 0;
      await inTransaction(target.pool, async (c) => {
        for (const r of rows) {
          await c.query('INSERT INTO item_chunks (item_id, start, data) VALUES ($1, $2, $3)', [
            r.id,
            r.start,
            r.data,
          ]);
        }
      });
    };
    for (const r of withBytes) {
      const id = String(r.id);
      const blob = await readBlob(dataDir, id, Number(r.received));
      if (!blob) continue;
      expected.set(id, sha256(blob));
      if (r.state === 'complete' && expected.get(id) !== r.sha256) {
        throw new AdminError(AdminErrorCode.InvalidInput, `item ${id}: its bytes do not match its SHA-256`);
      }
      for (let start = 0; start < blob.length; start += PG_CHUNK_BYTES) {
        const data = blob.subarray(start, start + PG_CHUNK_BYTES);
        batch.push({ id, start, data });
        batchBytes += data.length;
        if (batchBytes >= BYTES_PER_TRANSACTION) await flush();
      }
      bytes += blob.length;
    }
    await flush();

    await inTransaction(target.pool, async (c) => {
      await insertRows(c, 'devices', devices);
      await insertRows(c, 'prekeys', prekeys);
      await insertRows(c, 'mail_items', items);
      await insertRows(c, 'device_cursors', cursors);
      await insertRows(c, 'audit_batches', audit);
      // New batches continue after the highest id moved (arrival order is kept).
      await c.query(
        `SELECT setval('audit_batches_id_seq', GREATEST((SELECT MAX(id) FROM audit_batches), 1))`,
      );
      await insertRows(c, 'directory_versions', versions);
      await insertRows(c, 'admin_log', adminLog);
      await c.query(`SELECT setval('admin_log_id_seq', GREATEST((SELECT MAX(id) FROM admin_log), 1))`);
      await c.query(`UPDATE meta SET value = $1 WHERE key = 'directory_serial'`, [serial]);
      // New cursors continue after the highest one moved.
      await c.query(`SELECT setval('mail_cursor_seq', GREATEST((SELECT MAX(cursor) FROM mail_items), 1))`);
    });

    // Verify: counts, then every copied item's bytes as PostgreSQL gives them back.
    for (const [table, rows] of [
      ['devices', devices],
      ['prekeys', prekeys],
      ['mail_items', items],
      ['device_cursors', cursors],
      ['audit_batches', audit],
      ['directory_versions', versions],
      ['admin_log', adminLog],
    ] as const) {
      const n = (await target.pool.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${table}`)).rows[0]
        ?.n;
      if (n !== rows.length)
        throw new Error(`verification failed: ${table} has ${n} rows, the source ${rows.length}`);
    }
    let verified = 0;
    const ids = [...expected.keys()];
    const worker = async () => {
      for (let id = ids.pop(); id !== undefined; id = ids.pop()) {
        const item = await target.getItem(id);
        if (!item) throw new Error(`verification failed: item ${id} is missing`);
        if ((await target.blobs.sha256(id, item.offset)) !== expected.get(id)) {
          throw new Error(`verification failed: item ${id} reads back different bytes`);
        }
        verified++;
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const state = (s: string) => items.filter((r) => r.state === s).length;
    return {
      devices: devices.length,
      prekeys: prekeys.length,
      items: { uploading: state('uploading'), complete: state('complete'), acked: state('acked') },
      cursors: cursors.length,
      auditBatches: audit.length,
      directorySerial: serial,
      blobs: expected.size,
      bytes,
      verified,
    };
  } finally {
    source.close();
    await target.close();
  }
}
