import type pg from 'pg';
import { createWholeItemPg } from './pg-mail-writes';
import type { CreateItemResult, NewMailItem } from './relay-store';
import { toItem, type ItemRow } from './sqlite-relay-rows';

interface Queued {
  readonly mailbox: string;
  readonly item: NewMailItem;
  readonly bytes: Buffer;
  readonly maxPendingBytes: number;
  readonly resolve: (r: CreateItemResult) => void;
  readonly reject: (e: unknown) => void;
}

export interface WholeItemBatchOptions {
  /** Batches sent at once (each holds a pooled connection): the next one fills meanwhile. */
  readonly inFlight: number;
  /** Items, and their bytes, in one call at most. */
  readonly maxItems: number;
  readonly maxBytes: number;
}

const DEFAULTS: WholeItemBatchOptions = { inFlight: 2, maxItems: 256, maxBytes: 4 * 1024 * 1024 };

type Row = { n: number; outcome: string; item: ItemRow | null; pending: number | null };

/**
 * Group commit of whole small items on PostgreSQL, as SQLite's (`sqlite-group-commit.ts`):
 * the creates asked for in one turn of the event loop (and, while earlier batches are still in
 * the database, every one asked for meanwhile) go as ONE call of `embassy_create_whole_items`
 * (schema 5): one statement, one transaction, one WAL flush for all of them, where each
 * request alone paid a round trip, a commit and its flush. Durability is unchanged: the call
 * returns only after its commit (`synchronous_commit` stays on), and only then is any caller
 * answered, so an acknowledged upload survives kill -9 of the relay or the database.
 *
 * Each item keeps the rules it has alone (idempotency, quota, cursor under its mailbox lock),
 * applied in the order the requests came. A batch that fails as a whole (a deadlock between
 * instances' batches, a lost connection) stored nothing; its items are then sent one by one
 * through `embassy_create_whole_item`, so that each caller gets its own answer.
 */
export class PgWholeItemBatch {
  private queue: Queued[] = [];
  private running = 0;
  private scheduled = false;
  private readonly options: WholeItemBatchOptions;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    options: Partial<WholeItemBatchOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  create(
    mailbox: string,
    item: NewMailItem,
    bytes: Buffer,
    maxPendingBytes: number,
  ): Promise<CreateItemResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ mailbox, item, bytes, maxPendingBytes, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.options.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.running < this.options.inFlight && this.queue.length > 0) {
      let bytes = 0;
      let take = 0;
      for (const q of this.queue) {
        if (take >= this.options.maxItems || (take > 0 && bytes + q.bytes.length > this.options.maxBytes))
          break;
        bytes += q.bytes.length;
        take++;
      }
      const batch = this.queue.splice(0, take);
      this.running++;
      void this.send(batch).finally(() => {
        this.running--;
        this.schedule();
      });
    }
  }

  private async send(batch: Queued[]): Promise<void> {
    let rows: Row[];
    try {
      rows = (
        await this.pool.query<Row>({
          name: 'embassy_create_whole_items',
          text: 'SELECT * FROM embassy_create_whole_items($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
          values: [
            this.channel,
            batch.map((q) => q.mailbox),
            batch.map((q) => q.item.id),
            batch.map((q) => q.item.recipient),
            batch.map((q) => q.item.sender),
            batch.map((q) => q.item.envelopeId),
            batch.map((q) => q.item.size),
            batch.map((q) => q.item.sha256),
            batch.map((q) => q.item.createdAt),
            batch.map((q) => q.bytes.length),
            Buffer.concat(batch.map((q) => q.bytes)),
            batch.map((q) => q.maxPendingBytes),
          ],
        })
      ).rows;
    } catch {
      // Nothing of the batch was stored (one transaction): each item on its own, in order.
      for (const q of batch) await this.alone(q);
      return;
    }
    const byN = new Map(rows.map((r) => [Number(r.n), r]));
    for (const [i, q] of batch.entries()) {
      const answer = interpret(byN.get(i + 1));
      if (answer) q.resolve(answer);
      else await this.alone(q); // not answered (an earlier item vanished meanwhile): ask alone
    }
  }

  private async alone(q: Queued): Promise<void> {
    try {
      q.resolve(
        await createWholeItemPg(this.pool, this.channel, q.mailbox, q.item, q.bytes, q.maxPendingBytes),
      );
    } catch (e) {
      q.reject(e);
    }
  }
}

function interpret(r: Row | undefined): CreateItemResult | undefined {
  if (r?.outcome === 'quota') return { kind: 'quota', pendingBytes: Number(r.pending) };
  if (r?.item && (r.outcome === 'created' || r.outcome === 'existing' || r.outcome === 'conflict')) {
    return { kind: r.outcome, item: toItem(r.item) };
  }
  return undefined;
}
