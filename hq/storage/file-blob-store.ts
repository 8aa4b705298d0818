import { createHash } from 'node:crypto';
import { constants, createReadStream, mkdirSync } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore } from './relay-store';

/** Thrown into `writeAt`'s result when the source holds more than `maxBytes`. */
export class BlobOverflowError extends Error {
  override readonly name = 'BlobOverflowError';
}

const ITEM_ID = /^[0-9a-f]{32}$/;

/**
 * Item bytes as one file per item (`blobs/<item id>`, mode 0600). Ciphertext only: the relay
 * never holds a key. A file per item keeps resumable uploads simple (truncate to the recorded
 * offset, append) and lets acknowledged items disappear with one unlink.
 */
export class FileBlobStore implements BlobStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private path(itemId: string): string {
    // Ids come from the relay itself; the check is a second lock against path tricks.
    if (!ITEM_ID.test(itemId)) throw new Error('invalid item id');
    return join(this.dir, itemId);
  }

  async writeAt(
    itemId: string,
    offset: number,
    source: AsyncIterable<Buffer>,
    maxBytes: number,
  ): Promise<{ written: number; error?: unknown }> {
    const fh = await open(this.path(itemId), constants.O_RDWR | constants.O_CREAT, 0o600);
    let written = 0;
    let error: unknown;
    try {
      await fh.truncate(offset);
      try {
        for await (const chunk of source) {
          const room = maxBytes - written;
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          if (part.length > 0) {
            await fh.write(part, 0, part.length, offset + written);
            written += part.length;
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
      // Durable before the offset is recorded: an offset never points past synced bytes.
      await fh.sync();
    } finally {
      await fh.close();
    }
    return error === undefined ? { written } : { written, error };
  }

  async sha256(itemId: string, length: number): Promise<string> {
    const hash = createHash('sha256');
    if (length > 0) {
      for await (const chunk of createReadStream(this.path(itemId), { start: 0, end: length - 1 })) {
        hash.update(chunk as Buffer);
      }
    }
    return hash.digest('hex');
  }

  read(itemId: string, start: number, end: number): Readable {
    return createReadStream(this.path(itemId), { start, end });
  }

  async delete(itemId: string): Promise<void> {
    await rm(this.path(itemId), { force: true });
  }

  async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((name) => ITEM_ID.test(name));
  }
}
