import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { DeviceStatus, MailState } from '../../shared/sync/relay-protocol';
import { FileBlobStore } from './file-blob-store';
import type {
  BlobStore,
  CreateItemResult,
  DeviceRecord,
  MailItem,
  NewDevice,
  NewMailItem,
  RelayStore,
} from './relay-store';

type Db = InstanceType<typeof Database>;

/** The relay database file inside the data directory. */
export const RELAY_DB_FILE = 'relay.sqlite';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
  sign_public_key TEXT NOT NULL UNIQUE,
  box_public_key TEXT NOT NULL,
  enrolment_request TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_items (
  id TEXT PRIMARY KEY,
  recipient TEXT NOT NULL REFERENCES devices(id),
  sender TEXT NOT NULL REFERENCES devices(id),
  envelope_id TEXT NOT NULL,
  size INTEGER NOT NULL CHECK (size > 0),
  sha256 TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('uploading', 'complete', 'acked')),
  received INTEGER NOT NULL DEFAULT 0,
  cursor INTEGER UNIQUE,
  created_at INTEGER NOT NULL,
  UNIQUE (sender, envelope_id)
);
CREATE INDEX IF NOT EXISTS mail_items_inbox ON mail_items (recipient, state, cursor);
CREATE TABLE IF NOT EXISTS device_cursors (
  device TEXT PRIMARY KEY REFERENCES devices(id),
  cursor INTEGER NOT NULL
);
`;

interface DeviceRow {
  id: string;
  status: DeviceStatus;
  sign_public_key: string;
  box_public_key: string;
  enrolment_request: string;
  created_at: number;
  updated_at: number;
}

interface ItemRow {
  id: string;
  recipient: string;
  sender: string;
  envelope_id: string;
  size: number;
  sha256: string;
  state: MailState;
  received: number;
  cursor: number | null;
  created_at: number;
}

function toDevice(r: DeviceRow): DeviceRecord {
  return {
    id: r.id,
    status: r.status,
    signPublicKey: r.sign_public_key,
    boxPublicKey: r.box_public_key,
    enrolmentRequest: r.enrolment_request,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toItem(r: ItemRow): MailItem {
  return {
    id: r.id,
    recipient: r.recipient,
    sender: r.sender,
    envelopeId: r.envelope_id,
    size: r.size,
    sha256: r.sha256,
    state: r.state,
    offset: r.received,
    cursor: r.cursor ?? 0,
    createdAt: r.created_at,
  };
}

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

  private constructor(db: Db, blobs: BlobStore) {
    this.db = db;
    this.blobs = blobs;
  }

  /** Opens (creating when absent) the store in `dataDir`. */
  static open(dataDir: string): SqliteRelayStore {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new Database(join(dataDir, RELAY_DB_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new SqliteRelayStore(db, new FileBlobStore(join(dataDir, 'blobs')));
  }

  async enrolDevice(device: NewDevice, now: number): Promise<{ created: boolean; device: DeviceRecord }> {
    const tx = this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(device.id) as
        DeviceRow | undefined;
      if (existing) return { created: false, device: toDevice(existing) };
      this.db
        .prepare(
          `INSERT INTO devices (id, status, sign_public_key, box_public_key, enrolment_request, created_at, updated_at)
           VALUES (?, 'pending', ?, ?, ?, ?, ?)`,
        )
        .run(device.id, device.signPublicKey, device.boxPublicKey, device.enrolmentRequest, now, now);
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

  async setDeviceStatus(id: string, status: DeviceStatus, now: number): Promise<DeviceRecord | undefined> {
    const tx = this.db.transaction(() => {
      const current = this.db.prepare('SELECT status FROM devices WHERE id = ?').get(id) as
        { status: DeviceStatus } | undefined;
      if (!current) return undefined;
      // Revocation is final: a revoked device is never approved again (it must re-enrol with
      // new keys), so a stolen key cannot be brought back by a mistaken approve.
      if (current.status !== 'revoked' || status === 'revoked') {
        this.db.prepare('UPDATE devices SET status = ?, updated_at = ? WHERE id = ?').run(status, now, id);
      }
      return toDevice(this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow);
    });
    return tx.immediate();
  }

  async createItem(item: NewMailItem, maxPendingBytes: number): Promise<CreateItemResult> {
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
      const { pending } = this.db
        .prepare(
          `SELECT COALESCE(SUM(size), 0) AS pending FROM mail_items WHERE recipient = ? AND state <> 'acked'`,
        )
        .get(item.recipient) as { pending: number };
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
