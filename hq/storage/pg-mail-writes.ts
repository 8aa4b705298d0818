import type pg from 'pg';
import { inTransaction, lockName } from './pg-pool';
import type { CreateItemResult, MailItem, NewMailItem } from './relay-store';
import { toItem, type ItemRow } from './sqlite-relay-rows';

/** The mailbox writes of the PostgreSQL store that are more than one statement. */

const UNIQUE_VIOLATION = '23505';

/**
 * A whole small item on PostgreSQL on its own (the store sends whole items in groups,
 * `pg-whole-item-batch.ts`, and comes here for the items of a group that failed), in one round
 * trip: the `embassy_create_whole_item` function (schema 2) takes the recipient's mailbox
 * lock, applies the idempotency and quota rules of `createItem`, stores the row (complete, with
 * the next cursor) and its bytes as one chunk, and sends the NOTIFY that wakes the instance
 * holding the recipient's push connection, all in the statement's own transaction: either the
 * item is in the mailbox with its bytes, or neither is.
 */
export async function createWholeItemPg(
  pool: pg.Pool,
  channel: string,
  mailbox: string,
  item: NewMailItem,
  bytes: Buffer,
  maxPendingBytes: number,
): Promise<CreateItemResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { rows } = await pool.query<{ outcome: string; item: ItemRow | null; pending: number | null }>(
        `SELECT * FROM embassy_create_whole_item(hashtextextended($1, 0), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          mailbox,
          channel,
          item.id,
          item.recipient,
          item.sender,
          item.envelopeId,
          item.size,
          item.sha256,
          item.createdAt,
          bytes,
          maxPendingBytes,
        ],
      );
      const r = rows[0];
      if (r?.outcome === 'quota') return { kind: 'quota', pendingBytes: Number(r.pending) };
      if (r?.item && (r.outcome === 'created' || r.outcome === 'existing' || r.outcome === 'conflict')) {
        return { kind: r.outcome, item: toItem(r.item) };
      }
      throw new Error('unexpected answer from embassy_create_whole_item');
    } catch (e) {
      // A concurrent create of the same envelope to another mailbox won the unique key (its
      // lock is another mailbox's): asked again, the function finds the winner.
      if (attempt < 3 && (e as { code?: unknown }).code === UNIQUE_VIOLATION) continue;
      throw e;
    }
  }
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

/** Marks the item complete with the next cursor, and announces it (NOTIFY) in the same commit. */
export async function completeItemPg(
  pool: pg.Pool,
  id: string,
  channel: string,
  mailbox: (recipient: string) => string,
): Promise<MailItem> {
  return inTransaction(pool, async (c) => {
    const row = (await c.query<ItemRow>('SELECT * FROM mail_items WHERE id = $1 FOR UPDATE', [id])).rows[0];
    if (!row) throw new Error('no such item');
    if (row.state !== 'uploading') return toItem(row);
    // Under the mailbox lock until commit: cursors of one mailbox commit in cursor order.
    await lockName(c, mailbox(row.recipient));
    const { rows } = await c.query<ItemRow>(
      `UPDATE mail_items SET state = 'complete', received = size, cursor = nextval('mail_cursor_seq')
       WHERE id = $1 RETURNING *`,
      [id],
    );
    const done = rows[0] as ItemRow;
    await c.query('SELECT pg_notify($1, $2)', [channel, `${done.recipient}:${done.cursor}`]);
    return toItem(done);
  });
}
