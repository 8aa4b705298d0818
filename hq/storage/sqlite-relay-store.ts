import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { DeviceStatus } from '../../shared/sync/relay-protocol';
import { SqliteBlobStore } from './sqlite-blob-store';
import { SqliteMailItems } from './sqlite-mail-items';
import { toDevice, toPrekey, type DeviceRow, type PrekeyRow } from './sqlite-relay-rows';
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
  private readonly db: Db;
  private readonly mail: SqliteMailItems;
  private deviceById: Database.Statement<[string]> | undefined;

  private constructor(db: Db, blobs: BlobStore) {
    this.db = db;
    this.blobs = blobs;
    this.mail = new SqliteMailItems(db);
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
    return new SqliteRelayStore(db, new SqliteBlobStore(db, join(dataDir, 'blobs')));
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
    // Every authenticated request asks: prepared once.
    this.deviceById ??= this.db.prepare('SELECT * FROM devices WHERE id = ?');
    const row = this.deviceById.get(id) as DeviceRow | undefined;
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

  createItem(
    item: NewMailItem,
    maxPendingBytes: number,
    maxOpenUploads = Number.MAX_SAFE_INTEGER,
  ): Promise<CreateItemResult> {
    return this.mail.createItem(item, maxPendingBytes, maxOpenUploads);
  }

  createWholeItem(item: NewMailItem, bytes: Buffer, maxPendingBytes: number): Promise<CreateItemResult> {
    return this.mail.createWholeItem(item, bytes, maxPendingBytes);
  }

  async storedBytes(recipient: string): Promise<number> {
    return this.mail.stored(recipient);
  }

  expireUploads(createdBefore: number): Promise<string[]> {
    return this.mail.expireUploads(createdBefore);
  }

  async getItem(id: string): Promise<MailItem | undefined> {
    return this.mail.getItem(id);
  }

  setItemOffset(id: string, offset: number): Promise<void> {
    return this.mail.setItemOffset(id, offset);
  }

  completeItem(id: string): Promise<MailItem> {
    return this.mail.completeItem(id);
  }

  async listInbox(recipient: string, after: number, limit: number): Promise<MailItem[]> {
    return this.mail.listInbox(recipient, after, limit);
  }

  ackItem(id: string): Promise<MailItem> {
    return this.mail.ackItem(id);
  }

  async getCursor(device: string): Promise<number> {
    return this.mail.getCursor(device);
  }

  async close(): Promise<void> {
    await this.mail.drained();
    this.db.close();
  }
}

/** Aborts the prekey transaction (all or none). */
class PrekeyConflict extends Error {
  constructor(readonly prekeyId: string) {
    super('prekey conflict');
  }
}
