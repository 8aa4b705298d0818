import type Database from 'better-sqlite3-multiple-ciphers';
import type { CreateItemResult, MailItem, NewMailItem } from './relay-store';
import { GroupCommit } from './sqlite-group-commit';
import { toItem, type ItemRow } from './sqlite-relay-rows';

type Db = InstanceType<typeof Database>;
type Statement = Database.Statement<unknown[]>;

/**
 * The mailbox half of the SQLite relay store: uploads, completion, the inbox and
 * acknowledgements. This is the relay's hot path, so its statements are prepared once and its
 * writes go through {@link GroupCommit} (one fsync per group of requests, each answered after
 * it). Semantics are those of {@link RelayStore}'s mail methods.
 */
export class SqliteMailItems {
  private readonly statements = new Map<string, Statement>();
  private readonly group: GroupCommit;

  constructor(private readonly db: Db) {
    this.group = new GroupCommit(db);
  }

  /** A prepared statement, prepared on first use. */
  private sql(text: string): Statement {
    let s = this.statements.get(text);
    if (s === undefined) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  private row(id: string): ItemRow | undefined {
    return this.sql('SELECT * FROM mail_items WHERE id = ?').get(id) as ItemRow | undefined;
  }

  /** The idempotency rule of an announced item: the earlier item of that envelope, if any. */
  private earlier(item: NewMailItem): CreateItemResult | undefined {
    const existing = this.sql('SELECT * FROM mail_items WHERE sender = ? AND envelope_id = ?').get(
      item.sender,
      item.envelopeId,
    ) as ItemRow | undefined;
    if (!existing) return undefined;
    const same =
      existing.recipient === item.recipient && existing.size === item.size && existing.sha256 === item.sha256;
    return { kind: same ? 'existing' : 'conflict', item: toItem(existing) };
  }

  private nextCursor(): number {
    // One relay-wide sequence: cursors only need to grow within each mailbox, and a global
    // one is what a PostgreSQL sequence gives for free.
    return (this.sql('SELECT COALESCE(MAX(cursor), 0) + 1 AS next FROM mail_items').get() as { next: number })
      .next;
  }

  createItem(item: NewMailItem, maxPendingBytes: number, maxOpenUploads: number): Promise<CreateItemResult> {
    return this.group.run((): CreateItemResult => {
      const earlier = this.earlier(item);
      if (earlier) return earlier;
      const { open } = this.sql(
        `SELECT COUNT(*) AS open FROM mail_items WHERE sender = ? AND state = 'uploading'`,
      ).get(item.sender) as { open: number };
      if (open >= maxOpenUploads) return { kind: 'busy', openUploads: open };
      const pending = this.stored(item.recipient);
      if (pending + item.size > maxPendingBytes) return { kind: 'quota', pendingBytes: pending };
      this.sql(
        `INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'uploading', 0, NULL, ?)`,
      ).run(item.id, item.recipient, item.sender, item.envelopeId, item.size, item.sha256, item.createdAt);
      return { kind: 'created', item: toItem(this.row(item.id) as ItemRow) };
    });
  }

  /**
   * A whole small item: the row, complete with its cursor, and its bytes (`item_bytes`) in one
   * unit of the next group commit, so both are durable before the sender hears "complete".
   */
  createWholeItem(item: NewMailItem, bytes: Buffer, maxPendingBytes: number): Promise<CreateItemResult> {
    return this.group.run((): CreateItemResult => {
      const earlier = this.earlier(item);
      if (earlier) return earlier;
      const pending = this.stored(item.recipient);
      if (pending + item.size > maxPendingBytes) return { kind: 'quota', pendingBytes: pending };
      this.sql(
        `INSERT INTO mail_items (id, recipient, sender, envelope_id, size, sha256, state, received, cursor, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'complete', ?, ?, ?)`,
      ).run(
        item.id,
        item.recipient,
        item.sender,
        item.envelopeId,
        item.size,
        item.sha256,
        item.size,
        this.nextCursor(),
        item.createdAt,
      );
      this.sql('INSERT INTO item_bytes (item_id, data) VALUES (?, ?)').run(item.id, bytes);
      return { kind: 'created', item: toItem(this.row(item.id) as ItemRow) };
    });
  }

  stored(recipient: string): number {
    const row = this.sql(
      `SELECT COALESCE(SUM(CASE state WHEN 'uploading' THEN received ELSE size END), 0) AS stored
       FROM mail_items WHERE recipient = ? AND state <> 'acked'`,
    ).get(recipient) as { stored: number };
    return row.stored;
  }

  expireUploads(createdBefore: number): Promise<string[]> {
    return this.group.run(() => {
      const ids = (
        this.sql(`SELECT id FROM mail_items WHERE state = 'uploading' AND created_at < ?`).all(
          createdBefore,
        ) as { id: string }[]
      ).map((r) => r.id);
      const del = this.sql(`DELETE FROM mail_items WHERE id = ? AND state = 'uploading'`);
      for (const id of ids) del.run(id);
      return ids;
    });
  }

  getItem(id: string): MailItem | undefined {
    const row = this.row(id);
    return row ? toItem(row) : undefined;
  }

  async setItemOffset(id: string, offset: number): Promise<void> {
    await this.group.run(() =>
      this.sql(`UPDATE mail_items SET received = ? WHERE id = ? AND state = 'uploading'`).run(offset, id),
    );
  }

  completeItem(id: string): Promise<MailItem> {
    return this.group.run(() => {
      const row = this.row(id);
      if (!row) throw new Error('no such item');
      if (row.state !== 'uploading') return toItem(row);
      this.sql(`UPDATE mail_items SET state = 'complete', received = size, cursor = ? WHERE id = ?`).run(
        this.nextCursor(),
        id,
      );
      return toItem(this.row(id) as ItemRow);
    });
  }

  listInbox(recipient: string, after: number, limit: number): MailItem[] {
    const rows = this.sql(
      `SELECT * FROM mail_items WHERE recipient = ? AND state = 'complete' AND cursor > ?
       ORDER BY cursor LIMIT ?`,
    ).all(recipient, after, limit) as ItemRow[];
    return rows.map(toItem);
  }

  ackItem(id: string): Promise<MailItem> {
    return this.group.run(() => {
      const row = this.row(id);
      if (!row) throw new Error('no such item');
      if (row.state === 'complete') this.sql(`UPDATE mail_items SET state = 'acked' WHERE id = ?`).run(id);
      // A whole item's bytes go with its acknowledgement (a chunked one's file is unlinked after).
      this.sql('DELETE FROM item_bytes WHERE item_id = ?').run(id);
      // The stored cursor: everything at or below it is acknowledged.
      const { lowest } = this.sql(
        `SELECT MIN(cursor) AS lowest FROM mail_items WHERE recipient = ? AND state = 'complete'`,
      ).get(row.recipient) as { lowest: number | null };
      const { highest } = this.sql(
        `SELECT COALESCE(MAX(cursor), 0) AS highest FROM mail_items WHERE recipient = ? AND state = 'acked'`,
      ).get(row.recipient) as { highest: number };
      const cursor = lowest === null ? highest : lowest - 1;
      this.sql(
        `INSERT INTO device_cursors (device, cursor) VALUES (?, ?)
         ON CONFLICT (device) DO UPDATE SET cursor = MAX(device_cursors.cursor, excluded.cursor)`,
      ).run(row.recipient, cursor);
      return toItem(this.row(id) as ItemRow);
    });
  }

  getCursor(device: string): number {
    const row = this.sql('SELECT cursor FROM device_cursors WHERE device = ?').get(device) as
      { cursor: number } | undefined;
    return row?.cursor ?? 0;
  }

  /** Every write asked for is committed (or refused) before the file closes. */
  drained(): Promise<void> {
    return this.group.drained();
  }
}
