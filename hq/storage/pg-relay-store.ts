import type pg from 'pg';
import type { DeviceStatus } from '../../shared/sync/relay-protocol';
import { pgListAuditBatches, pgPutAuditBatch } from './audit-batches';
import { PgAdminLog } from './admin-log-stores';
import { PgBlobStore } from './pg-blob-store';
import { PgDirectoryChain } from './pg-directory-chain';
import { inTransaction, lockName, openPgPool, type PgClient } from './pg-pool';
import { migratePg } from './pg-schema';
import { ackItemPg, completeItemPg } from './pg-mail-writes';
import { PgDeviceReads } from './pg-device-reads';
import { PgWholeItemBatch } from './pg-whole-item-batch';
import type {
  AuditBatchRecord,
  BlobStore,
  CreateItemResult,
  DeviceRecord,
  DirectorySnapshot,
  MailItem,
  NewDevice,
  NewMailItem,
  PrekeyRecord,
  PutAuditResult,
  PutPrekeysResult,
  RelayStore,
} from './relay-store';
import {
  toDevice,
  toItem,
  toPrekey,
  type DeviceRow,
  type ItemRow,
  type PrekeyRow,
} from './sqlite-relay-rows';

/** The channel on which completed mail is announced to every instance (payload `recipient:cursor`). */
export const MAIL_CHANNEL = 'embassy_relay_mail';

/** The advisory-lock name that serialises one recipient's mailbox across instances. */
const mailbox = (recipient: string) => `mailbox:${recipient}`;

/**
 * The relay's store on PostgreSQL, for HQ deployments with several relay instances behind one
 * database. Same contract as the SQLite store; what SQLite's single writer made atomic for free
 * is made so here explicitly:
 * - one recipient's mailbox (the pending-bytes quota with the insert, cursor assignment,
 *   the acknowledged prefix) is serialised by a transaction-scoped advisory lock, so cursors
 *   become visible in the order they were given (a reader after cursor N never misses an item
 *   below N that commits later);
 * - the directory serial is one row every change updates (its row lock orders the changes);
 * - a device's prekeys are changed under that device's row lock;
 * - deadlocks and serialization failures are retried (`inTransaction`).
 * Completion also announces the mail with NOTIFY in the same transaction, so instances hear of
 * it exactly when it is committed.
 */
export class PgRelayStore implements RelayStore {
  readonly blobs: BlobStore;
  readonly directoryChain: PgDirectoryChain;
  readonly adminLog: PgAdminLog;
  private readonly deviceReads: PgDeviceReads;
  private readonly wholeItems: PgWholeItemBatch;

  private constructor(readonly pool: pg.Pool) {
    this.deviceReads = new PgDeviceReads(pool);
    this.wholeItems = new PgWholeItemBatch(pool, MAIL_CHANNEL);
    this.blobs = new PgBlobStore(pool);
    this.directoryChain = new PgDirectoryChain(pool);
    this.adminLog = new PgAdminLog(pool);
  }

  /**
   * Connects to `url` (`postgres://…`) and applies the schema migrations this code knows
   * (with `create: false`, refuses a database that holds no relay yet).
   */
  static async open(
    url: string,
    options: { poolSize?: number; create?: boolean } = {},
  ): Promise<PgRelayStore> {
    const pool = openPgPool(url, options.poolSize);
    try {
      await migratePg(pool, options.create === false ? { create: false } : {});
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PgRelayStore(pool);
  }

  private static async bumpSerial(c: PgClient): Promise<void> {
    await c.query(`UPDATE meta SET value = value + 1 WHERE key = 'directory_serial'`);
  }

  private static async device(c: PgClient | pg.Pool, id: string): Promise<DeviceRow | undefined> {
    return (await c.query<DeviceRow>('SELECT * FROM devices WHERE id = $1', [id])).rows[0];
  }

  private static async item(c: PgClient | pg.Pool, id: string, lock = false): Promise<ItemRow | undefined> {
    const sql = `SELECT * FROM mail_items WHERE id = $1${lock ? ' FOR UPDATE' : ''}`;
    return (await c.query<ItemRow>(sql, [id])).rows[0];
  }

  async enrolDevice(device: NewDevice, now: number): Promise<{ created: boolean; device: DeviceRecord }> {
    return inTransaction(this.pool, async (c) => {
      const inserted = await c.query<DeviceRow>(
        `INSERT INTO devices (id, status, sign_public_key, box_public_key, enrolment_request, created_at,
           updated_at, officer_address, officer_name, officer_department, certificate_fingerprint, approved_by_ca)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          device.id,
          device.status,
          device.signPublicKey,
          device.boxPublicKey,
          device.enrolmentRequest,
          now,
          device.officer.address,
          device.officer.name,
          device.officer.department,
          device.officer.certificateFingerprint,
          device.approvedByCa ?? null,
        ],
      );
      const row = inserted.rows[0];
      if (row === undefined) {
        const existing = await PgRelayStore.device(c, device.id);
        if (!existing) throw new Error('device vanished during enrolment');
        return { created: false, device: toDevice(existing) };
      }
      await PgRelayStore.bumpSerial(c);
      return { created: true, device: toDevice(row) };
    });
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    // Read fresh, with the other reads of the same turn in one query (pg-device-reads.ts).
    const row = await this.deviceReads.get(id);
    return row ? toDevice(row) : undefined;
  }

  async listDevices(): Promise<DeviceRecord[]> {
    const { rows } = await this.pool.query<DeviceRow>(
      'SELECT * FROM devices ORDER BY created_at, id COLLATE "C"',
    );
    return rows.map(toDevice);
  }

  async countDevices(status: DeviceStatus): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::bigint AS n FROM devices WHERE status = $1',
      [status],
    );
    return rows[0]?.n ?? 0;
  }

  async setDeviceStatus(id: string, status: DeviceStatus, now: number): Promise<DeviceRecord | undefined> {
    return inTransaction(this.pool, async (c) => {
      const current = (await c.query<DeviceRow>('SELECT * FROM devices WHERE id = $1 FOR UPDATE', [id]))
        .rows[0];
      if (!current) return undefined;
      // Revocation is final (see the SQLite store): a revoked device is never approved again.
      if (current.status === status || current.status === 'revoked') return toDevice(current);
      const { rows } = await c.query<DeviceRow>(
        'UPDATE devices SET status = $2, updated_at = $3 WHERE id = $1 RETURNING *',
        [id, status, now],
      );
      await PgRelayStore.bumpSerial(c);
      return toDevice(rows[0] as DeviceRow);
    });
  }

  async putPrekeys(
    device: string,
    prekeys: readonly PrekeyRecord[],
    keep: number,
  ): Promise<PutPrekeysResult> {
    try {
      return await inTransaction(this.pool, async (c): Promise<PutPrekeysResult> => {
        // The device's row lock orders concurrent publications of one device.
        await c.query('SELECT 1 FROM devices WHERE id = $1 FOR UPDATE', [device]);
        let added = false;
        for (const p of prekeys) {
          const existing = (
            await c.query<PrekeyRow>('SELECT * FROM prekeys WHERE device = $1 AND prekey_id = $2', [
              device,
              p.prekeyId,
            ])
          ).rows[0];
          if (existing) {
            const same =
              existing.public_key === p.publicKey &&
              existing.created_at === p.createdAt &&
              existing.signature === p.signature;
            if (!same) throw new PrekeyConflict(p.prekeyId); // rolls the whole request back
            continue;
          }
          await c.query(
            'INSERT INTO prekeys (device, prekey_id, public_key, created_at, signature) VALUES ($1, $2, $3, $4, $5)',
            [device, p.prekeyId, p.publicKey, p.createdAt, p.signature],
          );
          added = true;
        }
        await c.query(
          `DELETE FROM prekeys WHERE device = $1 AND prekey_id NOT IN (
             SELECT prekey_id FROM prekeys WHERE device = $1 ORDER BY created_at DESC, prekey_id DESC LIMIT $2)`,
          [device, keep],
        );
        if (added) await PgRelayStore.bumpSerial(c);
        const current = (
          await c.query<PrekeyRow>(
            'SELECT * FROM prekeys WHERE device = $1 ORDER BY created_at DESC, prekey_id DESC LIMIT 1',
            [device],
          )
        ).rows[0] as PrekeyRow;
        return { kind: 'stored', current: toPrekey(current) };
      });
    } catch (e) {
      if (e instanceof PrekeyConflict) return { kind: 'conflict', prekeyId: e.prekeyId };
      throw e;
    }
  }

  async getDirectorySerial(): Promise<number> {
    const { rows } = await this.pool.query<{ value: number }>(
      `SELECT value FROM meta WHERE key = 'directory_serial'`,
    );
    return rows[0]?.value ?? 0;
  }

  async getDirectorySnapshot(): Promise<DirectorySnapshot> {
    // One snapshot: the serial and the rows it describes are of the same moment.
    return inTransaction(
      this.pool,
      async (c) => {
        const serial = (
          await c.query<{ value: number }>(`SELECT value FROM meta WHERE key = 'directory_serial'`)
        ).rows[0]?.value;
        const { rows } = await c.query<DeviceRow & { p_id: string | null } & Record<string, unknown>>(
          `SELECT d.*, p.prekey_id AS p_id, p.public_key AS p_key, p.created_at AS p_created, p.signature AS p_sig
           FROM devices d LEFT JOIN LATERAL (
             SELECT * FROM prekeys WHERE device = d.id ORDER BY created_at DESC, prekey_id DESC LIMIT 1) p ON true
           WHERE d.status IN ('approved', 'revoked') AND d.officer_address IS NOT NULL
             AND d.officer_name IS NOT NULL AND d.officer_department IS NOT NULL
             AND d.certificate_fingerprint IS NOT NULL
           ORDER BY d.id COLLATE "C"`,
        );
        const devices = rows.map((r) => {
          const device = toDevice(r);
          const prekey =
            r.p_id === null
              ? undefined
              : toPrekey({
                  device: r.id,
                  prekey_id: r.p_id,
                  public_key: r.p_key as string,
                  created_at: r.p_created as number,
                  signature: r.p_sig as string,
                });
          return {
            ...device,
            officer: device.officer as NonNullable<DeviceRecord['officer']>,
            ...(prekey ? { prekey } : {}),
          };
        });
        return { serial: serial ?? 0, devices };
      },
      { isolation: 'repeatable read', readOnly: true },
    );
  }

  private static async stored(c: PgClient | pg.Pool, recipient: string): Promise<number> {
    const { rows } = await c.query<{ stored: number }>(
      `SELECT COALESCE(SUM(CASE state WHEN 'uploading' THEN received ELSE size END), 0)::bigint AS stored
       FROM mail_items WHERE recipient = $1 AND state <> 'acked'`,
      [recipient],
    );
    return rows[0]?.stored ?? 0;
  }

  async storedBytes(recipient: string): Promise<number> {
    return PgRelayStore.stored(this.pool, recipient);
  }

  async expireUploads(createdBefore: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `DELETE FROM mail_items WHERE state = 'uploading' AND created_at < $1 RETURNING id`,
      [createdBefore],
    );
    return rows.map((r) => r.id);
  }

  async createItem(
    item: NewMailItem,
    maxPendingBytes: number,
    maxOpenUploads = Number.MAX_SAFE_INTEGER,
  ): Promise<CreateItemResult> {
    return inTransaction(this.pool, async (c): Promise<CreateItemResult> => {
      // The quota check and the insert are one step per mailbox, whichever instance runs them.
      await lockName(c, mailbox(item.recipient));
      const existing = (
        await c.query<ItemRow>('SELECT * FROM mail_items WHERE sender = $1 AND envelope_id = $2', [
          item.sender,
          item.envelopeId,
        ])
      ).rows[0];
      if (existing) {
        const same =
          existing.recipient === item.recipient &&
          existing.size === item.size &&
          existing.sha256 === item.sha256;
        return { kind: same ? 'existing' : 'conflict', item: toItem(existing) };
      }
      const open =
        (
          await c.query<{ n: number }>(
            `SELECT count(*)::bigint AS n FROM mail_items WHERE sender = $1 AND state = 'uploading'`,
            [item.sender],
          )
        ).rows[0]?.n ?? 0;
      if (open >= maxOpenUploads) return { kind: 'busy', openUploads: open };
      const pending = await PgRelayStore.stored(c, item.recipient);
      if (pending + item.size > maxPendingBytes) return { kind: 'quota', pendingBytes: pending };
      // A concurrent create of the same (sender, envelope id) to another recipient conflicts on
      // the unique key: nothing is inserted, and the retry below reads the winner.
      const { rows } = await c.query<ItemRow>(
        `INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'uploading', 0, NULL, $7)
         ON CONFLICT (sender, envelope_id) DO NOTHING RETURNING *`,
        [item.id, item.recipient, item.sender, item.envelopeId, item.size, item.sha256, item.createdAt],
      );
      const row = rows[0];
      if (row === undefined) throw Object.assign(new Error('create raced'), { code: '40001' });
      return { kind: 'created', item: toItem(row) };
    });
  }

  createWholeItem(item: NewMailItem, bytes: Buffer, maxPendingBytes: number): Promise<CreateItemResult> {
    // With the other whole items of the moment, in one transaction (pg-whole-item-batch.ts).
    return this.wholeItems.create(mailbox(item.recipient), item, bytes, maxPendingBytes);
  }

  async getItem(id: string): Promise<MailItem | undefined> {
    const row = await PgRelayStore.item(this.pool, id);
    return row ? toItem(row) : undefined;
  }

  async setItemOffset(id: string, offset: number): Promise<void> {
    await this.pool.query(`UPDATE mail_items SET received = $2 WHERE id = $1 AND state = 'uploading'`, [
      id,
      offset,
    ]);
  }

  completeItem(id: string): Promise<MailItem> {
    return completeItemPg(this.pool, id, MAIL_CHANNEL, mailbox);
  }

  async listInbox(recipient: string, after: number, limit: number): Promise<MailItem[]> {
    const { rows } = await this.pool.query<ItemRow>(
      `SELECT * FROM mail_items WHERE recipient = $1 AND state = 'complete' AND cursor > $2
       ORDER BY cursor LIMIT $3`,
      [recipient, after, limit],
    );
    return rows.map(toItem);
  }

  ackItem(id: string): Promise<MailItem> {
    return ackItemPg(this.pool, id, mailbox);
  }

  async getCursor(device: string): Promise<number> {
    const { rows } = await this.pool.query<{ cursor: number }>(
      'SELECT cursor FROM device_cursors WHERE device = $1',
      [device],
    );
    return rows[0]?.cursor ?? 0;
  }

  putAuditBatch(batch: AuditBatchRecord, maxBatches: number): Promise<PutAuditResult> {
    return pgPutAuditBatch(this.pool, batch, maxBatches);
  }

  listAuditBatches(device: string): Promise<AuditBatchRecord[]> {
    return pgListAuditBatches(this.pool, device);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Aborts the prekey transaction (all or none). */
class PrekeyConflict extends Error {
  constructor(readonly prekeyId: string) {
    super('prekey conflict');
  }
}
