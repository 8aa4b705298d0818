import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { BlobOverflowError } from './file-blob-store';
import { inTransaction } from './pg-pool';
import type { BlobStore } from './relay-store';

/**
 * Bytes per stored chunk. Large enough that a 2 MiB item is two commits, small enough that a
 * Range read or a digest holds little in memory and a cut upload loses at most this much.
 */
export const PG_CHUNK_BYTES = 1024 * 1024;

const ITEM_ID = /^[0-9a-f]{32}$/;

function checkId(itemId: string): void {
  // Ids come from the relay itself; the check keeps the contract identical to the file store's.
  if (!ITEM_ID.test(itemId)) throw new Error('invalid item id');
}

/**
 * Item bytes in PostgreSQL (`item_chunks`), so that every relay instance on the database can
 * resume an upload another one began and serve any Range of any item. Each chunk is its own
 * committed INSERT: `writeAt` returns only bytes that a commit made durable (the server's
 * `synchronous_commit` decides how durable; the relay never lowers it), which is what lets
 * the caller record the new offset. The trade-off against an object store: the database's
 * backups and replication carry the ciphertext too (simple, consistent with the metadata,
 * but the database grows with the undelivered mail); `BlobStore` is the seam for an
 * S3-compatible store when that matters more.
 */
export class PgBlobStore implements BlobStore {
  constructor(private readonly pool: pg.Pool) {}

  async writeAt(
    itemId: string,
    offset: number,
    source: AsyncIterable<Buffer>,
    maxBytes: number,
  ): Promise<{ written: number; error?: unknown }> {
    checkId(itemId);
    // What lies at or beyond `offset` is what a cut left after the last recorded offset.
    await inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM item_chunks WHERE item_id = $1 AND start >= $2', [itemId, offset]);
      await c.query(
        `UPDATE item_chunks SET data = substring(data FROM 1 FOR ($2 - start)::integer)
         WHERE item_id = $1 AND start < $2 AND start + length(data) > $2`,
        [itemId, offset],
      );
    });
    let written = 0;
    let error: unknown;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await this.pool.query('INSERT INTO item_chunks (item_id, start, data) VALUES ($1, $2, $3)', [
        itemId,
        offset + written,
        data,
      ]);
      written += data.length;
    };
    try {
      for await (const chunk of source) {
        const room = maxBytes - written - pendingBytes;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        let rest = part;
        while (rest.length > 0) {
          const take = Math.min(rest.length, PG_CHUNK_BYTES - pendingBytes);
          pending.push(rest.subarray(0, take));
          pendingBytes += take;
          rest = rest.subarray(take);
          if (pendingBytes === PG_CHUNK_BYTES) await flush();
        }
        if (chunk.length > room) {
          error = new BlobOverflowError(`more than ${maxBytes} bytes`);
          break;
        }
      }
    } catch (e) {
      // A cut connection: keep what arrived; the caller records it as the new offset.
      error = e;
    }
    try {
      await flush();
    } catch (e) {
      // The database failed: what was committed before stays counted, the rest is lost.
      error ??= e;
    }
    return error === undefined ? { written } : { written, error };
  }

  async sha256(itemId: string, length: number): Promise<string> {
    const hash = createHash('sha256');
    if (length > 0) for await (const chunk of this.chunks(itemId, 0, length - 1)) hash.update(chunk);
    return hash.digest('hex');
  }

  read(itemId: string, start: number, end: number): Readable {
    return Readable.from(this.chunks(itemId, start, end), { objectMode: false });
  }

  /** Bytes `start`..`end` inclusive, one stored chunk (at most) per query. */
  private async *chunks(itemId: string, start: number, end: number): AsyncGenerator<Buffer> {
    checkId(itemId);
    let pos = start;
    while (pos <= end) {
      const { rows } = await this.pool.query<{ start: number; data: Buffer }>(
        `SELECT start, substring(data FROM ($2 - start + 1)::integer FOR ($3 - $2 + 1)::integer) AS data
         FROM item_chunks WHERE item_id = $1 AND start <= $2 ORDER BY start DESC LIMIT 1`,
        [itemId, pos, end],
      );
      const row = rows[0];
      if (row === undefined || row.data.length === 0) throw new Error('item bytes missing');
      yield row.data;
      pos += row.data.length;
    }
  }

  async delete(itemId: string): Promise<void> {
    checkId(itemId);
    await this.pool.query('DELETE FROM item_chunks WHERE item_id = $1', [itemId]);
  }

  async list(): Promise<string[]> {
    const { rows } = await this.pool.query<{ item_id: string }>('SELECT DISTINCT item_id FROM item_chunks');
    return rows.map((r) => r.item_id);
  }
}
