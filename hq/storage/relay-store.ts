import type { Readable } from 'node:stream';
import type { DeviceStatus, MailState } from '../../shared/sync/relay-protocol';

/** Who certified a device at enrolment: from the token certificate the relay verified. */
export interface DeviceOfficer {
  /** e-mail SAN of the token certificate, or its CN (see `OfficerAddress`). */
  readonly address: string;
  readonly name: string;
  readonly department: string;
  /** SHA-256 (lowercase hex) of the token certificate (DER). */
  readonly certificateFingerprint: string;
}

/** A device as the relay knows it. Keys are standard base64, as on the wire. */
export interface DeviceRecord {
  readonly id: string;
  readonly status: DeviceStatus;
  readonly signPublicKey: string;
  readonly boxPublicKey: string;
  /** The enrolment request (base64 of the certification JSON), kept for the administrator. */
  readonly enrolmentRequest: string;
  /**
   * Absent only for devices enrolled before the relay checked certifications (schema 1): such
   * a device is never listed in the directory and must enrol again.
   */
  readonly officer?: DeviceOfficer;
  /** SHA-256 of the trusted CA that approved the device at enrolment, if one did. */
  readonly approvedByCa?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewDevice = Omit<DeviceRecord, 'status' | 'createdAt' | 'updatedAt' | 'officer'> & {
  readonly officer: DeviceOfficer;
  /** 'approved' when a trusted CA vouches for the officer (then `approvedByCa` is set). */
  readonly status: 'pending' | 'approved';
};

/** A device's signed prekey, as on the wire. */
export interface PrekeyRecord {
  readonly prekeyId: string;
  readonly publicKey: string;
  readonly createdAt: number;
  readonly signature: string;
}

export type PutPrekeysResult =
  | { readonly kind: 'stored'; readonly current: PrekeyRecord }
  /** A prekey id already published with another key, time or signature; nothing was stored. */
  | { readonly kind: 'conflict'; readonly prekeyId: string };

/** What the directory lists: approved and revoked devices with their officer and current prekey. */
export interface DirectorySnapshot {
  /** Grows strictly with every change of a device or prekey. */
  readonly serial: number;
  readonly devices: readonly (DeviceRecord & {
    readonly officer: DeviceOfficer;
    readonly prekey?: PrekeyRecord;
  })[];
}

/** One envelope in a recipient's mailbox. Times are milliseconds since the epoch. */
export interface MailItem {
  readonly id: string;
  readonly recipient: string;
  readonly sender: string;
  readonly envelopeId: string;
  readonly size: number;
  readonly sha256: string;
  readonly state: MailState;
  /** Bytes durably received so far (equals `size` once complete). */
  readonly offset: number;
  /** Mailbox position, assigned when the item completes (0 while uploading). */
  readonly cursor: number;
  readonly createdAt: number;
}

export type NewMailItem = Pick<MailItem, 'id' | 'recipient' | 'sender' | 'envelopeId' | 'size' | 'sha256'> & {
  readonly createdAt: number;
};

export type CreateItemResult =
  | { readonly kind: 'created'; readonly item: MailItem }
  /** Same sender, envelope id, recipient, size and digest: the earlier item, unchanged. */
  | { readonly kind: 'existing'; readonly item: MailItem }
  /** Same sender and envelope id but something else differs. */
  | { readonly kind: 'conflict'; readonly item: MailItem }
  | { readonly kind: 'quota'; readonly pendingBytes: number }
  /** The sender has too many unfinished uploads open. */
  | { readonly kind: 'busy'; readonly openUploads: number };

/**
 * The bytes of mailbox items. Kept apart from the metadata so a deployment can put them on a
 * file system, in database chunks or in an object store without touching the mailbox logic.
 */
export interface BlobStore {
  /**
   * Writes `source` at `offset` (anything stored beyond `offset` is discarded first: it is
   * what a crash left after the last recorded offset), at most `maxBytes`. Returns how many
   * bytes were written and made durable, also when `source` fails midway (a cut connection):
   * the caller records the new offset either way, which is what makes uploads resumable.
   */
  writeAt(
    itemId: string,
    offset: number,
    source: AsyncIterable<Buffer>,
    maxBytes: number,
  ): Promise<{ written: number; error?: unknown }>;
  /** SHA-256 (lowercase hex) of the first `length` bytes. */
  sha256(itemId: string, length: number): Promise<string>;
  /** A stream of bytes `start`..`end` inclusive. */
  read(itemId: string, start: number, end: number): Readable;
  /** Drops the bytes (acknowledged, or restarted after a digest mismatch); idempotent. */
  delete(itemId: string): Promise<void>;
  /** The ids of every item whose bytes are held (for the sweep at start). */
  list(): Promise<string[]>;
}

/**
 * Everything the relay persists. The interface is asynchronous and speaks only in domain
 * records (no rowids, no SQL, no synchronous handles) so that a PostgreSQL implementation can
 * follow when HQ outgrows one machine; the embedded SQLite one
 * (`sqlite-relay-store.ts`) is the default. Operations that must be atomic (the quota check
 * with the insert, completion with cursor assignment) are single methods, so each
 * implementation makes them one transaction in its own way.
 */
export interface RelayStore {
  readonly blobs: BlobStore;

  /**
   * Inserts a device (pending, or approved by a trusted CA), or returns the existing record
   * with that id unchanged. A new device bumps the directory serial.
   */
  enrolDevice(device: NewDevice, now: number): Promise<{ created: boolean; device: DeviceRecord }>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  listDevices(): Promise<DeviceRecord[]>;
  /** How many devices have this status (the cap on pending enrolments). */
  countDevices(status: DeviceStatus): Promise<number>;
  /**
   * Returns the updated record, or undefined when there is no such device. Revocation is
   * final. A change of status bumps the directory serial in the same transaction.
   */
  setDeviceStatus(id: string, status: DeviceStatus, now: number): Promise<DeviceRecord | undefined>;

  /**
   * Stores a device's prekeys (all or none), keeping its `keep` newest by `createdAt`, and
   * bumps the directory serial when one was new. Returns the device's current (newest) prekey.
   */
  putPrekeys(device: string, prekeys: readonly PrekeyRecord[], keep: number): Promise<PutPrekeysResult>;
  /** The directory serial alone (cheap: the relay re-signs only when it moved). */
  getDirectorySerial(): Promise<number>;
  /** Everything the directory lists, read in one transaction with its serial. */
  getDirectorySnapshot(): Promise<DirectorySnapshot>;

  /**
   * Creates an upload, idempotently per (sender, envelopeId), refusing it when the recipient's
   * stored bytes (see {@link storedBytes}) plus `size` would exceed `maxPendingBytes`, and
   * answering `busy` when the sender already has `maxOpenUploads` unfinished uploads.
   */
  createItem(item: NewMailItem, maxPendingBytes: number, maxOpenUploads?: number): Promise<CreateItemResult>;
  /**
   * A whole item at once (small items: `POST /v1/mail` with its content, see relay-api-v1):
   * the rules of {@link createItem} (no `busy`: nothing stays open), then the bytes and the
   * completion with the next cursor, all or nothing. `created` answers the completed item;
   * `existing` an earlier item of that envelope as it stands (perhaps still uploading).
   */
  createWholeItem(item: NewMailItem, bytes: Buffer, maxPendingBytes: number): Promise<CreateItemResult>;
  /**
   * The bytes held for `recipient` and not acknowledged: complete items in full, unfinished
   * ones as far as they arrived. A declared size alone holds no quota.
   */
  storedBytes(recipient: string): Promise<number>;
  /**
   * Deletes the unfinished uploads announced before `createdBefore` and returns their ids (the
   * caller deletes their bytes). Complete and acknowledged items are never touched.
   */
  expireUploads(createdBefore: number): Promise<string[]>;
  getItem(id: string): Promise<MailItem | undefined>;
  /** Records bytes received while uploading; never moves a completed item. */
  setItemOffset(id: string, offset: number): Promise<void>;
  /** Marks the item complete and gives it the next mailbox cursor. */
  completeItem(id: string): Promise<MailItem>;
  /** Complete, unacknowledged items of `recipient` with cursor > `after`, in cursor order. */
  listInbox(recipient: string, after: number, limit: number): Promise<MailItem[]>;
  /** Marks the item acknowledged and advances the recipient's stored cursor; idempotent. */
  ackItem(id: string): Promise<MailItem>;
  /** The cursor below which everything of `device` is acknowledged (0 at first). */
  getCursor(device: string): Promise<number>;

  close(): Promise<void>;
}
