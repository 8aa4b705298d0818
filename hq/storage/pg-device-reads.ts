import type pg from 'pg';
import type { DeviceRow } from './sqlite-relay-rows';

type Waiter = { resolve: (row: DeviceRow | undefined) => void; reject: (e: unknown) => void };

/** Queries in the database at once; the reads asked for meanwhile wait and go together. */
const IN_FLIGHT = 2;

/**
 * Device lookups of one turn of the event loop as one query. Every request reads its devices'
 * status (the sender's on authentication, the recipient's when it sends), so that a revocation
 * applies on every instance at the next request; under load that was two queries per envelope.
 * Here the reads asked for in one turn (and, while two such queries are in the database, all
 * those asked for meanwhile) go as one `SELECT … WHERE id = ANY(…)`. Nothing is cached: each
 * read is answered by a query sent after it was asked for, so it sees every change committed
 * before it was asked (a revocation included), exactly as its own query would.
 */
export class PgDeviceReads {
  private waiting = new Map<string, Waiter[]>();
  private scheduled = false;
  private running = 0;

  constructor(private readonly pool: pg.Pool) {}

  get(id: string): Promise<DeviceRow | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.waiting.set(id, waiters);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= IN_FLIGHT || this.waiting.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const waiting = this.waiting;
      this.waiting = new Map();
      this.running++;
      void this.read(waiting).finally(() => {
        this.running--;
        this.schedule();
      });
    });
  }

  private async read(waiting: Map<string, Waiter[]>): Promise<void> {
    try {
      const { rows } = await this.pool.query<DeviceRow>({
        name: 'embassy_devices_by_id',
        text: 'SELECT * FROM devices WHERE id = ANY($1::text[])',
        values: [[...waiting.keys()]],
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, waiters] of waiting) for (const w of waiters) w.resolve(byId.get(id));
    } catch (e) {
      for (const waiters of waiting.values()) for (const w of waiters) w.reject(e);
    }
  }
}
