/**
 * Vault schema version 16 on, continuing `WORKFLOW_MIGRATIONS` (same rules: append only, one
 * transaction each): acknowledgement of receipt (docs/protocols/sync-payload-v1.md#receipt).
 * The statuses it needs (received, registered) came with version 15.
 *
 * SQLite cannot change a CHECK constraint in place, so the outbox, whose kinds gain `receipt`,
 * is rebuilt (the 12-step procedure of sqlite.org/lang_altertable.html). vault-db.ts runs every
 * migration with foreign keys off and checks them before the commit: dropping a parent table
 * with them on would cascade to its children.
 */
export const RECEIPT_MIGRATIONS: readonly string[] = [
  /* 16: receipts in the outbox; sends, origins and receipts accepted */ `
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
