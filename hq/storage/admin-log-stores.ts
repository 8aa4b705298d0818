import type Database from 'better-sqlite3-multiple-ciphers';
import type pg from 'pg';

/**
 * The relay's record of administrators' decisions that overrode a check (table `admin_log`,
 * both stores): today a device approved with `--force` although its certificate does not chain
 * to a trusted CA. Kept with the devices, so a copy of the relay's data carries it.
 */

export interface AdminEvent {
  readonly at: number;
  /** `approve-forced`. */
  readonly action: string;
  readonly device: string;
  /** What was overridden, for a reader (the certificate's subject, issuer, chain status). */
  readonly detail: string;
}

export interface AdminLogStore {
  record(e: AdminEvent): Promise<void>;
  /** The newest `limit` events, newest first. */
  list(limit: number): Promise<AdminEvent[]>;
}

const toEvent = (r: { at: number | string; action: string; device: string; detail: string }): AdminEvent => ({
  at: Number(r.at),
  action: r.action,
  device: r.device,
  detail: r.detail,
});

export class SqliteAdminLog implements AdminLogStore {
  constructor(private readonly db: InstanceType<typeof Database>) {}

  async record(e: AdminEvent): Promise<void> {
    this.db
      .prepare('INSERT INTO admin_log (at, action, device, detail) VALUES (?, ?, ?, ?)')
      .run(e.at, e.action, e.device, e.detail);
  }

  async list(limit: number): Promise<AdminEvent[]> {
    return (
      this.db
        .prepare('SELECT at, action, device, detail FROM admin_log ORDER BY id DESC LIMIT ?')
        .all(limit) as {
        at: number;
        action: string;
        device: string;
        detail: string;
      }[]
    ).map(toEvent);
  }
}

export class PgAdminLog implements AdminLogStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(e: AdminEvent): Promise<void> {
    await this.pool.query('INSERT INTO admin_log (at, action, device, detail) VALUES ($1, $2, $3, $4)', [
      e.at,
      e.action,
      e.device,
      e.detail,
    ]);
  }

  async list(limit: number): Promise<AdminEvent[]> {
    const { rows } = await this.pool.query<{ at: number; action: string; device: string; detail: string }>(
      'SELECT at, action, device, detail FROM admin_log ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map(toEvent);
  }
}
