/**
 * Vault schema version 17 on, continuing `RECEIPT_MIGRATIONS` (same rules: append only, one
 * transaction each): the marking of what waits to leave, so the page banner over the outbox
 * shows the highest (after 16, which rebuilds `sync_outbox` with the columns of its time); the
 * marking of each message; the files of messages.
 */
export const MARKING_MIGRATIONS: readonly string[] = [
  /* 17: the marking of what is queued, for the banner over the outbox (sends before this: Unclassified) */ `
  ALTER TABLE sync_outbox ADD COLUMN classification TEXT NOT NULL DEFAULT 'unclassified'
    CHECK (classification IN ('unclassified', 'confidential', 'secret', 'top-secret'));
  ALTER TABLE sync_waiting ADD COLUMN classification TEXT NOT NULL DEFAULT 'unclassified'
    CHECK (classification IN ('unclassified', 'confidential', 'secret', 'top-secret'));
  `,
  /* 18: a marking per message (messages before this: Unclassified, as they travelled) */ `
  ALTER TABLE messages ADD COLUMN classification TEXT NOT NULL DEFAULT 'unclassified'
    CHECK (classification IN ('unclassified', 'confidential', 'secret', 'top-secret'));
  `,
  /* 19: files of messages (a file with no message is staged for one being written) */ `
  CREATE TABLE message_files (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    message_rowid INTEGER REFERENCES messages (rowid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX message_files_by_message ON message_files (message_rowid, rowid);
  `,
];
