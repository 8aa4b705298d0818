/**
 * Vault schema versions 11 on, continuing `MIGRATIONS` (migrations.ts; same rules: append only,
 * one transaction each): what makes a workstation accountable and its contacts verifiable: the
 * tamper-evident audit log, HQ's directory as a hash chain, contact notices and safety numbers,
 * and documents waiting for their signature timestamp.
 */
export const ACCOUNTABILITY_MIGRATIONS: readonly string[] = [
  /* 11: the tamper-evident audit log (docs/protocols/audit-log-v1.md) */ `
  -- One row per security event: ids and kinds only (refs is canonical JSON of AuditRefs).
  -- hash = BLAKE2b-256(label, prev, seq, at, kind and refs): each row commits to all before it.
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    refs TEXT NOT NULL,
    prev BLOB NOT NULL,
    hash BLOB NOT NULL
  );
  -- The device key's signatures over (count, head, at), each under the device id that signed.
  CREATE TABLE audit_checkpoints (
    rowid INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    head BLOB NOT NULL,
    at INTEGER NOT NULL,
    signature BLOB NOT NULL
  );
  -- How far the log went to HQ's audit mailbox (entries by seq, checkpoints by rowid).
  CREATE TABLE audit_upload (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entries_through INTEGER NOT NULL,
    checkpoints_through INTEGER NOT NULL
  );
  INSERT INTO audit_upload (id, entries_through, checkpoints_through) VALUES (1, 0, 0);
  `,
  /* 12: HQ's directory as a hash chain: held links, heads senders named, fork and split-view notices */ `
  -- The held version's chain link (NULL for a directory stored before the chain).
  ALTER TABLE sync_directory ADD COLUMN link TEXT;
  -- The link of every version on the held chain, from the first held on: a sender's head is
  -- checked against it (store/directory-chain.ts).
  CREATE TABLE sync_directory_chain (
    serial INTEGER PRIMARY KEY,
    link TEXT NOT NULL
  );
  -- Heads senders named beyond the held one, checked when the chain reaches their serial.
  CREATE TABLE sync_directory_claims (
    rowid INTEGER PRIMARY KEY,
    serial INTEGER NOT NULL,
    link TEXT NOT NULL,
    address TEXT NOT NULL,
    device_id TEXT NOT NULL,
    UNIQUE (serial, link, device_id)
  );
  -- Directories refused as a rollback or a fork, so that one served again is noted once.
  CREATE TABLE sync_directory_refusals (
    kind TEXT NOT NULL,
    serial INTEGER NOT NULL,
    link TEXT NOT NULL,
    PRIMARY KEY (kind, serial, link)
  );
  CREATE TABLE sync_warnings_v11 (
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('device-revoked', 'keys-changed', 'device-refused',
      'directory-rollback', 'directory-forked', 'directory-split')),
    address TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  INSERT INTO sync_warnings_v11 (rowid, kind, address, device_id, at)
    SELECT rowid, kind, address, device_id, at FROM sync_warnings;
  DROP TABLE sync_warnings;
  ALTER TABLE sync_warnings_v11 RENAME TO sync_warnings;
  `,
  /* 13: contact notices name the certificate that vouches; safety numbers marked verified */ `
  -- The kinds include the directory chain's (rollback, fork, split view: migration 12).
  CREATE TABLE sync_warnings_next (
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('device-revoked', 'keys-changed', 'device-refused',
      'directory-rollback', 'directory-forked', 'directory-split',
      'device-added', 'device-removed', 'certificate-changed', 'verification-lost')),
    address TEXT NOT NULL,
    device_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    -- The token certificate that vouches for the device (NULL for a refused one).
    cert_subject TEXT,
    cert_issuer TEXT,
    cert_fingerprint TEXT
  );
  INSERT INTO sync_warnings_next (rowid, kind, address, device_id, at)
    SELECT rowid, kind, address, device_id, at FROM sync_warnings;
  DROP TABLE sync_warnings;
  ALTER TABLE sync_warnings_next RENAME TO sync_warnings;
  -- Contacts whose safety number the officer compared: marked verified for exactly that number.
  CREATE TABLE sync_verified_contacts (
    address TEXT PRIMARY KEY,
    safety_number TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    -- Set when the pair's keys changed after the mark: the mark is gone, and the UI says so.
    lost_at INTEGER
  );
  `,
  /* 14: signed PDFs waiting for their signature timestamp (signed B-B while the TSA was away) */ `
  CREATE TABLE signing_stamp_queue (
    attachment_id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    queued_at INTEGER NOT NULL
  );
  `,
  /* 15: the marking of what is queued, for the banner over the outbox (sends before this: Unclassified) */ `
  ALTER TABLE sync_outbox ADD COLUMN classification TEXT NOT NULL DEFAULT 'unclassified'
    CHECK (classification IN ('unclassified', 'confidential', 'secret', 'top-secret'));
  ALTER TABLE sync_waiting ADD COLUMN classification TEXT NOT NULL DEFAULT 'unclassified'
    CHECK (classification IN ('unclassified', 'confidential', 'secret', 'top-secret'));
  `,
];
