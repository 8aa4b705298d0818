import { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import type { SyncStoreContext } from './store-context';
import { Bytes, Hex, NoInput, ReadLength, syncOp } from './worker-op';

/**
 * Downloads in progress (`sync_downloads`, ciphertext in `sync_download_chunks`): a relay item
 * is stored piece by piece as it arrives, so a cut link or a restart resumes where it stopped.
 * Once complete it is opened by the inbox (inbox.ts), which deletes it.
 */

/** A download row. */
export interface DownloadRow {
  item_id: string;
  sender: string;
  envelope_id: string;
  size: number;
  sha256: string;
  received: number;
}

export function downloadRow(ctx: SyncStoreContext, itemId: string): DownloadRow | undefined {
  return ctx.db.prepare('SELECT * FROM sync_downloads WHERE item_id = ?').get(itemId) as
    DownloadRow | undefined;
}

export function dropDownload(ctx: SyncStoreContext, itemId: string): void {
  ctx.db.prepare('DELETE FROM sync_downloads WHERE item_id = ?').run(itemId);
}

/** The whole of a complete download, its pieces checked to follow each other exactly. */
export function assembleDownload(ctx: SyncStoreContext, itemId: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of ctx.db
    .prepare('SELECT offset, data FROM sync_download_chunks WHERE item_id = ? ORDER BY offset')
    .iterate(itemId) as Iterable<{ offset: number; data: Buffer }>) {
    if (c.offset !== at || at + c.data.length > size) throw new Error('download chunks out of order');
    out.set(c.data, at);
    at += c.data.length;
  }
  if (at !== size) throw new Error('download incomplete');
  return out;
}

const Offset = z.object({ offset: z.number().int().nonnegative() }).strict();

export const DOWNLOAD_OPS = {
  /** Starts (or resumes) a download: answers how many bytes are already stored. */
  'sync.download.begin': syncOp({
    input: z
      .object({
        id: Hex(16),
        sender: Hex(16),
        envelopeId: z.string().max(160),
        size: z.number().int().positive(),
        sha256: Hex(32),
      })
      .strict(),
    output: Offset,
    handler: (ctx, item) => {
      const { db } = ctx;
      db.prepare(
        `INSERT INTO sync_downloads (item_id, sender, envelope_id, size, sha256) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (item_id) DO NOTHING`,
      ).run(item.id, item.sender, item.envelopeId, item.size, item.sha256);
      const d = downloadRow(ctx, item.id) as DownloadRow;
      if (d.size !== item.size || d.sha256 !== item.sha256) {
        // The relay now describes the item differently: start over.
        db.prepare('DELETE FROM sync_download_chunks WHERE item_id = ?').run(item.id);
        db.prepare('UPDATE sync_downloads SET size = ?, sha256 = ?, received = 0 WHERE item_id = ?').run(
          item.size,
          item.sha256,
          item.id,
        );
        return { offset: 0 };
      }
      return { offset: d.received };
    },
  }),

  /** Stores the next piece; it must start exactly where the stored bytes end. */
  'sync.download.append': syncOp({
    input: z.object({ itemId: Hex(16), offset: z.number().int().nonnegative(), bytes: Bytes }).strict(),
    output: Offset,
    handler: (ctx, { itemId, offset, bytes }) =>
      ctx.db.transaction(() => {
        const d = downloadRow(ctx, itemId);
        if (!d) throw new CoreError(ErrorCode.NotFound, 'no such download');
        if (offset !== d.received || offset + bytes.length > d.size) {
          throw new CoreError(ErrorCode.InvalidInput, 'download offset mismatch');
        }
        ctx.db
          .prepare('INSERT INTO sync_download_chunks (item_id, offset, data) VALUES (?, ?, ?)')
          .run(itemId, offset, bytes);
        ctx.db
          .prepare('UPDATE sync_downloads SET received = ? WHERE item_id = ?')
          .run(offset + bytes.length, itemId);
        return { offset: offset + bytes.length };
      })(),
  }),

  /**
   * The downloads in progress, without their bytes: what a cut or a crash left to resume. Once
   * every listed item is received or refused, none is left (no ciphertext stays behind).
   */
  'sync.downloads': syncOp({
    input: NoInput,
    output: z
      .object({
        items: z.array(
          z
            .object({
              itemId: Hex(16),
              sender: Hex(16),
              envelopeId: z.string().max(160),
              size: z.number().int().positive(),
              received: z.number().int().nonnegative(),
            })
            .strict(),
        ),
      })
      .strict(),
    handler: (ctx) => ({
      items: (ctx.db.prepare('SELECT * FROM sync_downloads ORDER BY rowid').all() as DownloadRow[]).map(
        (d) => ({
          itemId: d.item_id,
          sender: d.sender,
          envelopeId: d.envelope_id,
          size: d.size,
          received: d.received,
        }),
      ),
    }),
  }),

  /** Bytes of a download in progress (the client re-hashes them when it resumes). */
  'sync.download.read': syncOp({
    input: z.object({ itemId: Hex(16), offset: z.number().int().nonnegative(), length: ReadLength }).strict(),
    output: z.object({ bytes: Bytes }).strict(),
    handler: (ctx, { itemId, offset, length }) => {
      const parts: Buffer[] = [];
      let have = 0;
      for (const c of ctx.db
        .prepare(
          'SELECT offset, data FROM sync_download_chunks WHERE item_id = ? AND offset + length(data) > ? AND offset < ? ORDER BY offset',
        )
        .iterate(itemId, offset, offset + length) as Iterable<{ offset: number; data: Buffer }>) {
        const from = Math.max(0, offset - c.offset);
        const to = Math.min(c.data.length, offset + length - c.offset);
        parts.push(c.data.subarray(from, to));
        have += to - from;
      }
      const out = new Uint8Array(have);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return { bytes: out };
    },
  }),
} as const;
