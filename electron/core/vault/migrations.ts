import { CLASSIFICATIONS } from '../../../shared/domain/classification';
import { DIRECTIONS, MESSAGE_STATES } from '../../../shared/domain/document';
import { ACCOUNTABILITY_MIGRATIONS } from './migrations-accountability';
import { WORKFLOW_MIGRATIONS } from './migrations-workflow';
import { MARKING_MIGRATIONS } from './migrations-markings';
import { REGISTER_MIGRATIONS } from './migrations-registers';
import { RECEIPT_MIGRATIONS } from './migrations-receipts';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** The statuses as migration 1 shipped them (frozen: a shipped migration never changes). */
const STATUSES_V1 = ['draft', 'in-review', 'signed', 'sent', 'acknowledged'];

/**
 * The vault schema, one entry per version (PRAGMA user_version). Append only: a shipped
 * migration is never edited, a change is a new entry. Each runs in one transaction with the
 * user_version bump, so a crash leaves the old or the new schema.
 *
 * Integer rowids are the join keys (compact, fast); the UUID `id` is what crosses the
 * contract. Parties are JSON arrays of display strings. The search index is one FTS5 table
 * over every kind of item; see search-text.ts for why its text is folded before indexing.
 * Versions 11 on (the audit log, the directory chain, contact notices, the timestamp queue)
 * are in migrations-accountability.ts, 15 on (registers, workflow, versions) in
 * migrations-workflow.ts, 16 (receipts) in migrations-receipts.ts, 17 on (the outbox's markings) in
 * migrations-markings.ts. Migration 1 checks statuses against the list of its time
 * (draft, in-review, signed, sent, acknowledged); 15 replaces that column.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: documents, versions, attachments in chunks, threads, messages, search index */ `
  CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    registry_number TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN (${list(DIRECTIONS)})),
    classification TEXT NOT NULL CHECK (classification IN (${list(CLASSIFICATIONS)})),
    status TEXT NOT NULL CHECK (status IN (${list(STATUSES_V1)})),
    subject TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  -- One index per sort column (rowid breaks ties so paging is stable), and per filter.
  CREATE INDEX documents_by_date ON documents (date, rowid);
  CREATE INDEX documents_by_registry ON documents (registry_number, rowid);
  CREATE INDEX documents_by_subject ON documents (subject COLLATE NOCASE, rowid);
  CREATE INDEX documents_by_updated ON documents (updated_at, rowid);
  CREATE INDEX documents_by_direction ON documents (direction, date, rowid);
  CREATE INDEX documents_by_status ON documents (status, date, rowid);
  CREATE INDEX documents_by_classification ON documents (classification, date, rowid);

  CREATE TABLE document_versions (
    document_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (document_rowid, version)
  );

  CREATE TABLE attachments (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    chunk_size INTEGER NOT NULL,
    text_indexed INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE INDEX attachments_by_document ON attachments (document_rowid);

  -- Content in fixed-size chunks: streamed in and read back in pieces, never whole in memory.
  CREATE TABLE attachment_chunks (
    attachment_rowid INTEGER NOT NULL REFERENCES attachments (rowid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (attachment_rowid, seq)
  );

  CREATE TABLE threads (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    document_rowid INTEGER REFERENCES documents (rowid) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    last_message_at TEXT NOT NULL
  );
  CREATE INDEX threads_by_last ON threads (last_message_at, rowid);
  CREATE INDEX threads_by_document ON threads (document_rowid);

  CREATE TABLE messages (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    thread_rowid INTEGER NOT NULL REFERENCES threads (rowid) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN (${list(MESSAGE_STATES)})),
    read INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL
  );
  CREATE INDEX messages_by_thread ON messages (thread_rowid, at, rowid);
  CREATE INDEX messages_unread ON messages (thread_rowid) WHERE read = 0;

  -- kind: 'document' | 'message' | 'attachment'; ref: that table's rowid.
  CREATE VIRTUAL TABLE search_index USING fts5 (
    kind UNINDEXED,
    ref UNINDEXED,
    title,
    body,
    parties,
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  `,
  /* 2: sync with HQ — device keys, prekeys, the verified directory, outbox, downloads, seen-set, audit */ `
  -- One device identity per vault: its secret keys exist only here (inside the encrypted file).
  CREATE TABLE sync_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    device_id TEXT NOT NULL,
    sign_public BLOB NOT NULL,
    sign_secret BLOB NOT NULL,
    box_public BLOB NOT NULL,
    box_secret BLOB NOT NULL,
    hq_url TEXT NOT NULL,
    hq_fingerprint TEXT NOT NULL,
    hq_sign_public BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'pending', 'approved', 'revoked')),
    address TEXT,
    name TEXT,
    department TEXT,
    next_seq INTEGER NOT NULL DEFAULT 1,
    inbox_cursor INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );

  -- Signed prekeys: the newest is current; a retired one is deleted after the grace window.
  CREATE TABLE sync_prekeys (
    prekey_id TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    secret_key BLOB NOT NULL,
    signature BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER,
    published INTEGER NOT NULL DEFAULT 0
  );

  -- HQ's directory as last verified (signature checked against the pinned HQ key).
  CREATE TABLE sync_directory (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    serial INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    signature BLOB NOT NULL,
    fetched_at INTEGER NOT NULL
  );
  -- Devices seen in earlier directories, to warn when one is revoked or its keys change.
  CREATE TABLE sync_known_devices (
    device_id TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    box_public BLOB NOT NULL,
    status TEXT NOT NULL
  );
  CREATE TABLE sync_warnings (
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('device-revoked', 'keys-changed')),
    address TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );

  -- Sealed envelopes (ciphertext), in chunks, shared by the outbox rows of their recipients.
  CREATE TABLE sync_envelope_chunks (
    envelope_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (envelope_id, seq)
  );
  -- One row per recipient device: what the relay must still accept.
  CREATE TABLE sync_outbox (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    envelope_id TEXT NOT NULL,
    relay_envelope_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('message', 'document')),
    title TEXT NOT NULL,
    recipient_address TEXT NOT NULL,
    recipient_device TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'failed', 'sent', 'cancelled')),
    sent_bytes INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error_code TEXT,
    last_error_message TEXT,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  CREATE INDEX sync_outbox_due ON sync_outbox (state, next_attempt_at, rowid);
  CREATE INDEX sync_outbox_envelope ON sync_outbox (envelope_id);

  -- Downloads in progress (ciphertext), resumable from the bytes already stored.
  CREATE TABLE sync_downloads (
    item_id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    envelope_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    received INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE sync_download_chunks (
    item_id TEXT NOT NULL REFERENCES sync_downloads (item_id) ON DELETE CASCADE,
    offset INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (item_id, offset)
  );

  -- The seen-set: every envelope stored, by its authenticated sender and sequence number.
  CREATE TABLE sync_seen (
    sender_device TEXT NOT NULL,
    seq INTEGER NOT NULL,
    envelope_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    sender_address TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (sender_device, seq)
  );
  CREATE UNIQUE INDEX sync_seen_envelope ON sync_seen (sender_device, envelope_id);

  -- What sync did and refused: event names, codes and ids, never content.
  CREATE TABLE sync_audit (
    rowid INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    code TEXT,
    sender_device TEXT,
    envelope_id TEXT,
    item_id TEXT
  );
  `,
  /* 3: FTS5 leaves sized to fit a SQLCipher page without an overflow page */ `
  -- SQLCipher v4 keeps 80 bytes of each 4096-byte page (16 IV + 64 HMAC-SHA512), leaving 4016;
  -- a table b-tree cell then holds at most 3981 bytes of payload on the page. FTS5's default
  -- leaf of 4050 bytes (sized for a plain 4096-byte page) spills every leaf into an overflow
  -- page: two pages, two MACs, two reads per leaf. Leaves reach pgsz + 2 bytes, so 3960 fits.
  -- Existing segments keep their leaves until merges rewrite them.
  INSERT INTO search_index (search_index, rank) VALUES ('pgsz', 3960);
  `,
  /* 4: a received item is looked up by its relay item id (redelivery after a crash) */ `
  CREATE INDEX sync_seen_item ON sync_seen (item_id);
  `,
  /* 5: attachments uploaded piece by piece from the interface, staged until finished */ `
  CREATE TABLE attachment_uploads (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    document_rowid INTEGER NOT NULL REFERENCES documents (rowid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_type TEXT,
    size INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  -- Pieces are the attachment's chunks to be (256 KiB each, the last shorter), so finishing
  -- moves them as they are.
  CREATE TABLE attachment_upload_chunks (
    upload_rowid INTEGER NOT NULL REFERENCES attachment_uploads (rowid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (upload_rowid, seq)
  );
  `,
  /* 6: FTS5 merges segments 16 at a time instead of 4 */ `
  -- Each merge rewrites index pages and frees the old ones, and in an encrypted vault each of
  -- those pages costs its encryption (plus, during a bulk import, its journal copy and, with
  -- secure_delete, the zeroing of the freed page). Merging 16 segments at a time instead of 4
  -- rewrites less: bulk import encrypted/plain 1.21 against 1.24 (3 runs each), search latency
  -- unchanged (p50 40–43 ms against 41–42 ms over 100,000 messages).
  INSERT INTO search_index (search_index, rank) VALUES ('automerge', 16);
  `,
  /* 7: a received document stays unread until the officer opens it (it survives a restart) */ `
  ALTER TABLE documents ADD COLUMN unread INTEGER NOT NULL DEFAULT 0 CHECK (unread IN (0, 1));
  `,
  /* 8: identity rooted in officers' tokens: pinned anchors, the certified view, refusal notices */ `
  -- Anchors pinned at enrolment (DER), besides those shipped in resources/trust-anchors.
  CREATE TABLE sync_trust_anchors (
    fingerprint TEXT PRIMARY KEY,
    der BLOB NOT NULL
  );
  -- The directory's devices whose token certification verified, grouped by the address their
  -- certificate names (JSON); NULL until the first directory stored after this migration.
  ALTER TABLE sync_directory ADD COLUMN certified BLOB;
  CREATE TABLE sync_warnings_v8 (
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('device-revoked', 'keys-changed', 'device-refused')),
    address TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  INSERT INTO sync_warnings_v8 (rowid, kind, address, device_id, at)
    SELECT rowid, kind, address, device_id, at FROM sync_warnings;
  DROP TABLE sync_warnings;
  ALTER TABLE sync_warnings_v8 RENAME TO sync_warnings;
  `,
  /* 9: a received document's proven sender, apart from the parties the document itself states */ `
  ALTER TABLE documents ADD COLUMN received_from TEXT;
  `,
  /* 10: sends held until an approved recipient publishes keys (sealed when they appear) */ `
  CREATE TABLE sync_waiting (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('message', 'document')),
    title TEXT NOT NULL,
    recipient_address TEXT NOT NULL,
    send BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  ...ACCOUNTABILITY_MIGRATIONS,
  ...WORKFLOW_MIGRATIONS,
  ...RECEIPT_MIGRATIONS,
  ...MARKING_MIGRATIONS,
  ...REGISTER_MIGRATIONS,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
