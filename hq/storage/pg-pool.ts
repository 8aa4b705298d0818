import pg from 'pg';

/** A pooled connection, as the store's methods see it. */
export type PgClient = pg.PoolClient;

/**
 * BIGINT columns (times in ms, sizes, cursors) come back as JavaScript numbers: every value
 * the relay stores is below 2^53, and strings would leak into the domain records.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A pool to `url` (`postgres://…`) that parses BIGINT as number. */
export function openPgPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, application_name: 'embassy-relay' });
  // An idle client that loses its server (a failover) emits here; the pool drops it and the
  // next query opens a fresh one. Without a listener the error would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** A client outside the pool, for LISTEN (which holds its connection for as long as it listens). */
export function openPgClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types, application_name: 'embassy-relay-listen' });
}

/** serialization_failure and deadlock_detected: the transaction is safe to run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export interface TransactionOptions {
  readonly isolation?: 'read committed' | 'repeatable read' | 'serializable';
  readonly readOnly?: boolean;
}

/**
 * Runs `fn` in one transaction on one pooled connection, committing when it returns and
 * rolling back when it throws. Serialization failures and deadlocks are retried (a few times,
 * with a short random pause): with several relay instances on one database they are the
 * normal price of correctness, not faults.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: PgClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const begin = `BEGIN ISOLATION LEVEL ${(options.isolation ?? 'read committed').toUpperCase()}${
    options.readOnly ? ' READ ONLY' : ''
  }`;
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not give it back to the pool
      }
      const code = (e as { code?: unknown }).code;
      if (attempt < 5 && typeof code === 'string' && RETRYABLE.has(code)) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * A transaction-scoped lock on a name (released at commit or rollback). Used to serialise what
 * SQLite's single writer serialised for free: one recipient's mailbox (quota, cursor order).
 */
export async function lockName(client: PgClient, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [name]);
}
