import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type Database from 'better-sqlite3-multiple-ciphers';
import { FileBlobStore } from './file-blob-store';
import type { BlobStore } from './relay-store';

type Db = InstanceType<typeof Database>;

/**
 * The SQLite relay's item bytes: an item that came whole (at most `MAX_WHOLE_ITEM_BYTES`) sits
 * in the `item_bytes` table, written in the same commit as its mailbox row; an item uploaded in
 * chunks is a file (`FileBlobStore`). Small items thus cost no file system calls at all, and
 * their bytes are exactly as durable as the row that lists them. Reads find either.
 */
export class SqliteBlobStore implements BlobStore {
  private readonly files: FileBlobStore;
  private readonly get: Database.Statement<[string], { data: Buffer }>;
  private readonly drop: Database.Statement<[string]>;
  private readonly held: Database.Statement<[string], unknown>;

  constructor(
    private readonly db: Db,
    dir: string,
  ) {
    this.files = new FileBlobStore(dir);
    this.get = db.prepare('SELECT data FROM item_bytes WHERE item_id = ?');
    this.drop = db.prepare('DELETE FROM item_bytes WHERE item_id = ?');
    this.held = db.prepare('SELECT 1 FROM item_bytes WHERE item_id = ?');
  }

  private whole(itemId: string): Buffer | undefined {
    return this.get.get(itemId)?.data;
  }

  writeAt(
    itemId: string,
    offset: number,
    source: AsyncIterable<Buffer>,
    maxBytes: number,
  ): Promise<{ written: number; error?: unknown }> {
    // Only chunked uploads write here: an item that came whole is complete, never patched.
    return this.files.writeAt(itemId, offset, source, maxBytes);
  }

  async sha256(itemId: string, length: number): Promise<string> {
    const whole = this.whole(itemId);
    if (whole === undefined) return this.files.sha256(itemId, length);
    return createHash('sha256').update(whole.subarray(0, length)).digest('hex');
  }

  read(itemId: string, start: number, end: number): Readable {
    const whole = this.whole(itemId);
    if (whole === undefined) return this.files.read(itemId, start, end);
    return Readable.from([whole.subarray(start, end + 1)]);
  }

  async delete(itemId: string): Promise<void> {
    // Acknowledgement already dropped a whole item's row in its own commit; this is the rest
    // (the row is looked for first: a DELETE that finds nothing would still be a commit).
    if (this.held.get(itemId) !== undefined) this.drop.run(itemId);
    await this.files.delete(itemId);
  }

  async list(): Promise<string[]> {
    const whole = this.db.prepare('SELECT item_id FROM item_bytes').all() as { item_id: string }[];
    return [...whole.map((r) => r.item_id), ...(await this.files.list())];
  }
}
