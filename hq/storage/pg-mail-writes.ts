import type pg from 'pg';
import { inTransaction, lockName } from './pg-pool';
import type { CreateItemResult, MailItem, NewMailItem } from './relay-store';
import { toItem, type ItemRow } from './sqlite-relay-rows';

/** The mailbox writes of the PostgreSQL store that are more than one statement. */

/**
 * A whole small item on PostgreSQL (`POST /v1/mail` with its content): in one transaction under
 * the recipient's mailbox lock, the idempotency and quota rules of `createItem`, then the row
 * (complete, with the next cursor), its bytes as one chunk, and the NOTIFY that wakes the
 * instance holding the recipient's push connection. Nothing is half-stored: either the item
 * is in the mailbox with its bytes, or neither is.
 */
export async function createWholeItemPg(
  pool: pg.Pool,
  channel: string,
  mailbox: string,
  item: NewMailItem,
  bytes: Buffer,
  maxPendingBytes: number,
): Promise<CreateItemResult> {
  return inTransaction(pool, async (c): Promise<CreateItemResult> => {
    await lockName(c, mailbox);
    // One round trip for both rules: the earlier item of this envelope, and the bytes held.
    const { rows } = await c.query<{ earlier: ItemRow | null; stored: string }>(
      `SELECT (SELECT to_jsonb(m) FROM mail_items m WHERE sender = $1 AND envelope_id = $2) AS earlier,
              (SELECT COALESCE(SUM(CASE state WHEN 'uploading' THEN received ELSE size END), 0)
                 FROM mail_items WHERE recipient = $3 AND state <> 'acked')::bigint AS stored`,
      [item.sender, item.envelopeId, item.recipient],
    );
    const { earlier, stored } = rows[0] as { earlier: ItemRow | null; stored: string };
    if (earlier) {
      const same =
        earlier.recipient === item.recipient && earlier.size === item.size && earlier.sha256 === item.sha256;
      return { kind: same ? 'existing' : 'conflict', item: toItem(earlier) };
    }
    const pending = Number(stored);
    if (pending + item.size > maxPendingBytes) return { kind: 'quota', pendingBytes: pending };
    const inserted = await c.query<ItemRow>(
      `WITH row AS (
         INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'complete', $5, nextval('mail_cursor_seq'), $7)
         ON CONFLICT (sender, envelope_id) DO NOTHING RETURNING *
       ), chunk AS (
         INSERT INTO item_chunks (item_id, start, data) SELECT id, 0, $8 FROM row
       )
       SELECT row.*, pg_notify($9, row.recipient || ':' || row.cursor) FROM row`,
      [
        item.id,
        item.recipient,
        item.sender,
        item.envelopeId,
        item.size,
        item.sha256,
        item.createdAt,
        bytes,
        channel,
      ],
    );
    const row = inserted.rows[0];
    // A concurrent create of the same envelope to another mailbox won the unique key: retried.
    if (row === undefined) throw Object.assign(new Error('create raced'), { code: '40001' });
    return { kind: 'created', item: toItem(row) };
  });
}

/** Marks the item acknowledged and advances the recipient's stored cursor; idempotent. */
export async function ackItemPg(
  pool: pg.Pool,
  id: string,
  mailbox: (recipient: string) => string,
): Promise<MailItem> {
  return inTransaction(pool, async (c) => {
    const item = async () => (await c.query<ItemRow>('SELECT * FROM mail_items WHERE id = $1', [id])).rows[0];
    const row = await item();
    if (!row) throw new Error('no such item');
    await lockName(c, mailbox(row.recipient));
    await c.query(`UPDATE mail_items SET state = 'acked' WHERE id = $1 AND state = 'complete'`, [id]);
    // The stored cursor: everything at or below it is acknowledged.
    const { rows } = await c.query<{ lowest: number | null; highest: number }>(
      `SELECT (SELECT MIN(cursor) FROM mail_items WHERE recipient = $1 AND state = 'complete') AS lowest,
              (SELECT COALESCE(MAX(cursor), 0) FROM mail_items WHERE recipient = $1 AND state = 'acked') AS highest`,
      [row.recipient],
    );
    const { lowest, highest } = rows[0] as { lowest: number | null; highest: number };
    const cursor = lowest === null ? highest : lowest - 1;
    await c.query(
      `INSERT INTO device_cursors (device, cursor) VALUES ($1, $2)
       ON CONFLICT (device) DO UPDATE SET cursor = GREATEST(device_cursors.cursor, excluded.cursor)`,
      [row.recipient, cursor],
    );
    return toItem((await item()) as ItemRow);
  });
}
