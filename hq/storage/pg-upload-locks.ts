import type pg from 'pg';

/**
 * One writer per item across every relay instance: a session-level advisory lock on the item
 * id, held on a connection of its own for as long as the PATCH streams. When an instance dies
 * (kill -9, a crash) its connections close and PostgreSQL releases the lock at once, so the
 * client's retry on another instance is not kept waiting for a lease to expire.
 */
export class PgUploadLocks {
  constructor(private readonly pool: pg.Pool) {}

  /** A release function, or undefined when another upload of the item holds the lock. */
  async tryLock(itemId: string): Promise<(() => Promise<void>) | undefined> {
    const client = await this.pool.connect();
    let held = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`,
        [`upload:${itemId}`],
      );
      held = rows[0]?.ok === true;
    } catch (e) {
      client.release(true);
      throw e;
    }
    if (!held) {
      client.release();
      return undefined;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`upload:${itemId}`]);
        client.release();
      } catch {
        // The connection is gone, and the lock with it: drop the client rather than reuse it.
        client.release(true);
      }
    };
  }
}
