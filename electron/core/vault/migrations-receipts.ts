import { CLASSIFICATIONS } from '../../../shared/domain/classification';
import { DIRECTIONS, DOCUMENT_STATUSES } from '../../../shared/domain/document';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Vault schema version 15 on, continuing `ACCOUNTABILITY_MIGRATIONS` (same rules: append only,
 * one transaction each): acknowledgement of receipt (docs/protocols/payload-v1.md#receipt).
 *
 * SQLite cannot change a CHECK constraint in place, so the tables whose CHECK gains a value are
 * rebuilt (the 12-step procedure of sqlite.org/lang_altertable.html). vault-db.ts runs every
 * migration with foreign keys off and checks them before the commit: dropping `documents` with
 * them on would cascade to its versions and attachments.
 */
export const RECEIPT_MIGRATIONS: readonly string[] = [
  /* 15: received and registered documents; receipts sent and accepted */ `
  CREATE TABLE documents_next (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    registry_number TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN (${list(DIRECTIONS)})),
    classification TEXT NOT NULL CHECK (classification IN (${list(CLASSIFICATIONS)})),
    status TEXT NOT NULL CHECK (status IN (${list(DOCUMENT_STATUSES)})),
    subject TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    unread INTEGER NOT NULL DEFAULT 0 CHECK (unread IN (0, 1)),
    received_from TEXT
  );
  -- A received document was stored as 'sent' before it had a status of its own.
  INSERT INTO documents_next
    SELECT rowid, id, registry_number, date, direction, classification,
      CASE WHEN direction = 'incoming' AND status = 'sent' THEN 'received' ELSE status END,
      subject, sender, recipients, created_at, updated_at, unread, received_from
    FROM documents;
  DROP TABLE documents;
  ALTER TABLE documents_next RENAME TO documents;
  CREATE INDEX documents_by_date ON documents (date, rowid);
  CREATE INDEX documents_by_registry ON documents (registry_number, rowid);
  CREATE INDEX documents_by_subject ON documents (subject COLLATE NOCASE, rowid);
  CREATE INDEX documents_by_updated ON documents (updated_at, rowid);
  CREATE INDEX documents_by_direction ON documents (direction, date, rowid);
  CREATE INDEX documents_by_status ON documents (status, date, rowid);
  CREATE INDEX documents_by_classification ON documents (classification, date, rowid);

  -- The outbox carries receipts too.
  CREATE TABLE sync_outbox_next (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    envelope_id TEXT NOT NULL,
    relay_envelope_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('message', 'document', 'receipt')),
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
  INSERT INTO sync_outbox_next SELECT * FROM sync_outbox;
  DROP TABLE sync_outbox;
  ALTER TABLE sync_outbox_next RENAME TO sync_outbox;
  CREATE INDEX sync_outbox_due ON sync_outbox (state, next_attempt_at, rowid);
  CREATE INDEX sync_outbox_envelope ON sync_outbox (envelope_id);

  -- Sender side: each document send, what its payload hashed to and to whom, so that a receipt
  -- is accepted only from a recipient and only for exactly what was sent.
  CREATE TABLE document_sends (
    envelope_id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    -- JSON array of recipient addresses (lower case).
    recipients TEXT NOT NULL,
    sent_at INTEGER NOT NULL
  );
  CREATE INDEX document_sends_by_document ON document_sends (document_id);
  -- Recipient side: where a received document came from, and its registration once made.
  CREATE TABLE document_origins (
    document_id TEXT PRIMARY KEY,
    sender_device TEXT NOT NULL,
    sender_address TEXT NOT NULL,
    envelope_id TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    registration_number TEXT,
    registered_at INTEGER
  );
  -- Sender side: receipts accepted, one per send and acknowledging officer.
  CREATE TABLE document_receipts (
    envelope_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    by_address TEXT NOT NULL,
    by_name TEXT NOT NULL,
    by_device TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    registered_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    receipt_envelope_id TEXT NOT NULL,
    PRIMARY KEY (envelope_id, by_address)
  );
  CREATE INDEX document_receipts_by_document ON document_receipts (document_id);
  `,
];
