/**
 * Vault schema version 17 on, continuing `RECEIPT_MIGRATIONS` (same rules: append only, one
 * transaction each): the marking of what waits to leave, so the page banner over the outbox
 * shows the highest (after 16, which rebuilds `sync_outbox` with the columns of its time); the
 * marking of each message.
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
];
