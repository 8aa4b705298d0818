import type pg from 'pg';
import type { DeviceRow } from './sqlite-relay-rows';

/**
 * Device lookups of one turn of the event loop as one query. Every request reads its devices'
 * status (the sender's on authentication, the recipient's when it sends), so that a revocation
 * applies on every instance at the next request; under load that was two queries per envelope.
 * Here the reads asked for in one turn wait for the next and go as one
 * `SELECT … WHERE id = ANY(…)`. Nothing is cached: each read is answered by a query sent after
 * it was asked for, so it sees every change committed before it was asked (a revocation
 * included), exactly as its own query would.
 */
type Waiter = { resolve: (row: DeviceRow | undefined) => void; reject: (e: unknown) => void };

export class PgDeviceReads {
  private waiting = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(private readonly pool: pg.Pool) {}

  get(id: string): Promise<DeviceRow | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(id) ?? [];
      waiters.push({ resolve, reject });
      this.waiting.set(id, waiters);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const waiting = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
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
