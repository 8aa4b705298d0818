import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { DeviceStatus } from '../../shared/sync/relay-protocol';
import { SqliteAdminLog } from './admin-log-stores';
import { FileBlobStore } from './file-blob-store';
import { SqliteDirectoryChain } from './sqlite-directory-chain';
import {
  toDevice,
  toItem,
  toPrekey,
  type DeviceRow,
  type ItemRow,
  type PrekeyRow,
} from './sqlite-relay-rows';
import { migrateRelayDb, RELAY_DB_FILE } from './sqlite-relay-schema';

import type {
  BlobStore,
  CreateItemResult,
  DeviceRecord,
  DirectorySnapshot,
  MailItem,
  NewDevice,
  NewMailItem,
  PrekeyRecord,
  PutPrekeysResult,
  RelayStore,
} from './relay-store';

export { RELAY_DB_FILE } from './sqlite-relay-schema';

type Db = InstanceType<typeof Database>;

/**
 * The embedded default store: one SQLite file (`relay.sqlite`) for metadata, one file per item
 * for the bytes (`blobs/`). better-sqlite3-multiple-ciphers is opened **without a key**: the
 * relay only ever holds ciphertext and public keys, so page encryption would protect nothing a
 * relay compromise could not read from memory anyway, and the key would have to sit next to
 * the file.
 *
 * The methods are async (see {@link RelayStore}) although better-sqlite3 is synchronous: each
 * statement here is a short indexed read or write (microseconds), which one relay process can
 * afford on its event loop, and the async shape is what lets a PostgreSQL store replace this
 * one without touching the server. WAL and a busy timeout let the admin commands
 * (`embassy hq approve`) write while `hq serve` runs.
 */
export class SqliteRelayStore implements RelayStore {
  readonly blobs: BlobStore;
  readonly directoryChain: SqliteDirectoryChain;
  readonly adminLog: SqliteAdminLog;
  private readonly db: Db;

  private constructor(db: Db, blobs: BlobStore) {
    this.db = db;
    this.blobs = blobs;
    this.directoryChain = new SqliteDirectoryChain(db);
    this.adminLog = new SqliteAdminLog(db);
  }

  /** Opens (creating when absent) the store in `dataDir`. */
  static open(dataDir: string): SqliteRelayStore {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new Database(join(dataDir, RELAY_DB_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrateRelayDb(db);
    return new SqliteRelayStore(db, new FileBlobStore(join(dataDir, 'blobs')));
  }

  /** Bumps the directory serial; call inside the transaction that made the change. */
  private bumpSerial(): void {
    this.db
      .prepare(
        `INSERT INTO meta (key, value) VALUES ('directory_serial', 1)
         ON CONFLICT (key) DO UPDATE SET value = value + 1`,
      )
      .run();
  }

  private serial(): number {
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'directory_serial'`).get() as
      { value: number } | undefined;
    return row?.value ?? 0;
  }

  async enrolDevice(device: NewDevice, now: number): Promise<{ created: boolean; device: DeviceRecord }> {
    const tx = this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(device.id) as
        DeviceRow | undefined;
      if (existing) return { created: false, device: toDevice(existing) };
      this.db
        .prepare(
          `INSERT INTO devices (id, status, sign_public_key, box_public_key, enrolment_request, created_at,
             updated_at, officer_address, officer_name, officer_department, certificate_fingerprint, approved_by_ca)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          device.id,
          device.status,
          device.signPublicKey,
          device.boxPublicKey,
          device.enrolmentRequest,
          now,
          now,
          device.officer.address,
          device.officer.name,
          device.officer.department,
          device.officer.certificateFingerprint,
          device.approvedByCa ?? null,
        );
      this.bumpSerial();
      const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(device.id) as DeviceRow;
      return { created: true, device: toDevice(row) };
    });
    return tx.immediate();
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
    return row ? toDevice(row) : undefined;
  }

  async listDevices(): Promise<DeviceRecord[]> {
    const rows = this.db.prepare('SELECT * FROM devices ORDER BY created_at, id').all() as DeviceRow[];
    return rows.map(toDevice);
  }

  async countDevices(status: DeviceStatus): Promise<number> {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM devices WHERE status = ?').get(status) as {
      n: number;
    };
    return row.n;
  }

  async setDeviceStatus(id: string, status: DeviceStatus, now: number): Promise<DeviceRecord | undefined> {
    const tx = this.db.transaction(() => {
      const current = this.db.prepare('SELECT status FROM devices WHERE id = ?').get(id) as
        { status: DeviceStatus } | undefined;
      if (!current) return undefined;
      // Revocation is final: a revoked device is never approved again (it must re-enrol with
      // new keys), so a stolen key cannot be brought back by a mistaken approve.
      if (current.status !== status && current.status !== 'revoked') {
        this.db.prepare('UPDATE devices SET status = ?, updated_at = ? WHERE id = ?').run(status, now, id);
        this.bumpSerial();
      }
      return toDevice(this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow);
    });
    return tx.immediate();
  }

  async putPrekeys(
    device: string,
    prekeys: readonly PrekeyRecord[],
    keep: number,
  ): Promise<PutPrekeysResult> {
    const tx = this.db.transaction((): PutPrekeysResult => {
      const get = this.db.prepare('SELECT * FROM prekeys WHERE device = ? AND prekey_id = ?');
      const insert = this.db.prepare(
        'INSERT INTO prekeys (device, prekey_id, public_key, created_at, signature) VALUES (?, ?, ?, ?, ?)',
      );
      let added = false;
      for (const p of prekeys) {
        const existing = get.get(device, p.prekeyId) as PrekeyRow | undefined;
        if (existing) {
          const same =
            existing.public_key === p.publicKey &&
            existing.created_at === p.createdAt &&
            existing.signature === p.signature;
          // Throwing rolls the whole request back: all or none.
          if (!same) throw new PrekeyConflict(p.prekeyId);
          continue;
        }
        insert.run(device, p.prekeyId, p.publicKey, p.createdAt, p.signature);
        added = true;
      }
      // Keep the newest `keep`: older prekeys are of no use to senders (only the current one is listed).
      this.db
        .prepare(
          `DELETE FROM prekeys WHERE device = ? AND prekey_id NOT IN (
             SELECT prekey_id FROM prekeys WHERE device = ? ORDER BY created_at DESC, prekey_id DESC LIMIT ?)`,
        )
        .run(device, device, keep);
      if (added) this.bumpSerial();
      const current = this.db
        .prepare('SELECT * FROM prekeys WHERE device = ? ORDER BY created_at DESC, prekey_id DESC LIMIT 1')
        .get(device) as PrekeyRow;
      return { kind: 'stored', current: toPrekey(current) };
    });
    try {
      return tx.immediate();
    } catch (e) {
      if (e instanceof PrekeyConflict) return { kind: 'conflict', prekeyId: e.prekeyId };
      throw e;
    }
  }

  async getDirectorySerial(): Promise<number> {
    return this.serial();
  }

  async getDirectorySnapshot(): Promise<DirectorySnapshot> {
    // One read transaction: the serial and the rows it describes are of the same moment.
    const tx = this.db.transaction((): DirectorySnapshot => {
      const rows = this.db
        .prepare(
          `SELECT * FROM devices WHERE status IN ('approved', 'revoked') AND officer_address IS NOT NULL
           AND officer_name IS NOT NULL AND officer_department IS NOT NULL
           AND certificate_fingerprint IS NOT NULL ORDER BY id`,
        )
        .all() as DeviceRow[];
      const current = this.db.prepare(
        'SELECT * FROM prekeys WHERE device = ? ORDER BY created_at DESC, prekey_id DESC LIMIT 1',
      );
      const devices = rows.map((r) => {
        const device = toDevice(r);
        const prekey = current.get(r.id) as PrekeyRow | undefined;
        return {
          ...device,
          officer: device.officer as NonNullable<DeviceRecord['officer']>,
          ...(prekey ? { prekey: toPrekey(prekey) } : {}),
        };
      });
      return { serial: this.serial(), devices };
    });
    return tx.deferred();
  }

  async createItem(
    item: NewMailItem,
    maxPendingBytes: number,
    maxOpenUploads = Number.MAX_SAFE_INTEGER,
  ): Promise<CreateItemResult> {
    const tx = this.db.transaction((): CreateItemResult => {
      const existing = this.db
        .prepare('SELECT * FROM mail_items WHERE sender = ? AND envelope_id = ?')
        .get(item.sender, item.envelopeId) as ItemRow | undefined;
      if (existing) {
        const same =
          existing.recipient === item.recipient &&
          existing.size === item.size &&
          existing.sha256 === item.sha256;
        return { kind: same ? 'existing' : 'conflict', item: toItem(existing) };
      }
      const { open } = this.db
        .prepare(`SELECT COUNT(*) AS open FROM mail_items WHERE sender = ? AND state = 'uploading'`)
        .get(item.sender) as { open: number };
      if (open >= maxOpenUploads) return { kind: 'busy', openUploads: open };
      const pending = this.stored(item.recipient);
      if (pending + item.size > maxPendingBytes) return { kind: 'quota', pendingBytes: pending };
      this.db
        .prepare(
          `INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 'uploading', 0, NULL, ?)`,
        )
        .run(item.id, item.recipient, item.sender, item.envelopeId, item.size, item.sha256, item.createdAt);
      const row = this.db.prepare('SELECT * FROM mail_items WHERE id = ?').get(item.id) as ItemRow;
      return { kind: 'created', item: toItem(row) };
    });
    return tx.immediate();
  }

  private stored(recipient: string): number {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(CASE state WHEN 'uploading' THEN received ELSE size END), 0) AS stored
         FROM mail_items WHERE recipient = ? AND state <> 'acked'`,
      )
      .get(recipient) as { stored: number };
    return row.stored;
  }

  async storedBytes(recipient: string): Promise<number> {
    return this.stored(recipient);
  }

  async expireUploads(createdBefore: number): Promise<string[]> {
    const tx = this.db.transaction(() => {
      const ids = (
        this.db
          .prepare(`SELECT id FROM mail_items WHERE state = 'uploading' AND created_at < ?`)
          .all(createdBefore) as { id: string }[]
      ).map((r) => r.id);
      const del = this.db.prepare(`DELETE FROM mail_items WHERE id = ? AND state = 'uploading'`);
      for (const id of ids) del.run(id);
      return ids;
    });
    return tx.immediate();
  }

  async getItem(id: string): Promise<MailItem | undefined> {
    const row = this.db.prepare('SELECT * FROM mail_items WHERE id = ?').get(id) as ItemRow | undefined;
    return row ? toItem(row) : undefined;
  }

  async setItemOffset(id: string, offset: number): Promise<void> {
    this.db
      .prepare(`UPDATE mail_items SET received = ? WHERE id = ? AND state = 'uploading'`)
      .run(offset, id);
  }

  async completeItem(id: string): Promise<MailItem> {
    const tx = this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM mail_items WHERE id = ?').get(id) as ItemRow | undefined;
      if (!row) throw new Error('no such item');
      if (row.state !== 'uploading') return toItem(row);
      // One relay-wide sequence: cursors only need to grow within each mailbox, and a global
      // one is what a PostgreSQL sequence gives for free.
      const { next } = this.db
        .prepare('SELECT COALESCE(MAX(cursor), 0) + 1 AS next FROM mail_items')
        .get() as {
        next: number;
      };
      this.db
        .prepare(`UPDATE mail_items SET state = 'complete', received = size, cursor = ? WHERE id = ?`)
        .run(next, id);
      return toItem(this.db.prepare('SELECT * FROM mail_items WHERE id = ?').get(id) as ItemRow);
    });
    return tx.immediate();
  }

  async listInbox(recipient: string, after: number, limit: number): Promise<MailItem[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM mail_items WHERE recipient = ? AND state = 'complete' AND cursor > ?
         ORDER BY cursor LIMIT ?`,
      )
      .all(recipient, after, limit) as ItemRow[];
    return rows.map(toItem);
  }

  async ackItem(id: string): Promise<MailItem> {
    const tx = this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM mail_items WHERE id = ?').get(id) as ItemRow | undefined;
      if (!row) throw new Error('no such item');
      if (row.state === 'complete') {
        this.db.prepare(`UPDATE mail_items SET state = 'acked' WHERE id = ?`).run(id);
      }
      // The stored cursor: everything at or below it is acknowledged.
      const { lowest } = this.db
        .prepare(`SELECT MIN(cursor) AS lowest FROM mail_items WHERE recipient = ? AND state = 'complete'`)
        .get(row.recipient) as { lowest: number | null };
      const { highest } = this.db
        .prepare(
          `SELECT COALESCE(MAX(cursor), 0) AS highest FROM mail_items WHERE recipient = ? AND state = 'acked'`,
        )
        .get(row.recipient) as { highest: number };
      const cursor = lowest === null ? highest : lowest - 1;
      this.db
        .prepare(
          `INSERT INTO device_cursors (device, cursor) VALUES (?, ?)
           ON CONFLICT (device) DO UPDATE SET cursor = MAX(device_cursors.cursor, excluded.cursor)`,
        )
        .run(row.recipient, cursor);
      return toItem(this.db.prepare('SELECT * FROM mail_items WHERE id = ?').get(id) as ItemRow);
    });
    return tx.immediate();
  }

  async getCursor(device: string): Promise<number> {
    const row = this.db.prepare('SELECT cursor FROM device_cursors WHERE device = ?').get(device) as
      { cursor: number } | undefined;
    return row?.cursor ?? 0;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Aborts the prekey transaction (all or none). */
class PrekeyConflict extends Error {
  constructor(readonly prekeyId: string) {
    super('prekey conflict');
  }
}
