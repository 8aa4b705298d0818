import type pg from 'pg';
import { inTransaction, lockName } from './pg-pool';
import type { DirectoryChainStore, DirectoryVersion } from './relay-store';
import { toVersion } from './sqlite-directory-chain';

/**
 * The published directory versions on PostgreSQL (table `directory_versions`, pg-schema.ts
 * version 2). Every instance publishes into the same chain: an append takes one advisory lock
 * and extends only the head it was built on, and `previous_serial` is unique besides, so two
 * instances publishing at once leave one chain (the loser serves the winner's version).
 */
export class PgDirectoryChain implements DirectoryChainStore {
  constructor(private readonly pool: pg.Pool) {}

  async head(): Promise<DirectoryVersion | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM directory_versions ORDER BY serial DESC LIMIT 1');
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async append(v: DirectoryVersion): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await lockName(c, 'embassy-directory-chain');
      const { rows } = await c.query<{ serial: string; link: string }>(
        'SELECT serial, link FROM directory_versions ORDER BY serial DESC LIMIT 1',
      );
      const head = rows[0];
      const headSerial = head === undefined ? undefined : Number(head.serial);
      if (headSerial !== v.previous?.serial || head?.link !== v.previous?.link) return false;
      if (v.serial <= (headSerial ?? -1)) return false;
      await c.query(
        `INSERT INTO directory_versions (serial, issued_at, digest, link, previous_serial, previous_link)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [v.serial, v.issuedAt, v.digest, v.link, v.previous?.serial ?? -1, v.previous?.link ?? null],
      );
      return true;
    });
  }

  async steps(after: number, before: number, limit: number): Promise<{ serial: number; digest: string }[]> {
    const { rows } = await this.pool.query<{ serial: string; digest: string }>(
      'SELECT serial, digest FROM directory_versions WHERE serial > $1 AND serial < $2 ORDER BY serial LIMIT $3',
      [after, before, limit],
    );
    return rows.map((r) => ({ serial: Number(r.serial), digest: r.digest }));
  }
}
