import { z } from 'zod';
import { Id, Ms, syncOp } from './worker-op';

/**
 * The timestamp queue: vault attachments signed B-B because the TSA could not be reached,
 * each waiting for its signature timestamp (signing/timestamp-queue.ts adds it on the next
 * connection). A row in the encrypted vault, so it survives a restart and names nothing outside
 * the vault. It sits with the sync store's operations because it waits for the link to HQ.
 */

const Entry = z.object({ attachmentId: Id, documentId: Id, queuedAt: Ms }).strict();

interface Row {
  attachment_id: string;
  document_id: string;
  queued_at: number;
}

export const STAMP_QUEUE_OPS = {
  /** Queues an attachment (again: no second row). */
  'signing.stampQueue.add': syncOp({
    input: z.object({ attachmentId: Id, documentId: Id, now: Ms }).strict(),
    output: z.object({ queued: z.number().int() }).strict(),
    handler: (ctx, { attachmentId, documentId, now }) => {
      ctx.db
        .prepare(
          'INSERT OR IGNORE INTO signing_stamp_queue (attachment_id, document_id, queued_at) VALUES (?, ?, ?)',
        )
        .run(attachmentId, documentId, now);
      return {
        queued: (ctx.db.prepare('SELECT count(*) AS n FROM signing_stamp_queue').get() as { n: number }).n,
      };
    },
  }),

  /** The queue, oldest first. */
  'signing.stampQueue.list': syncOp({
    input: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    output: z.object({ items: z.array(Entry) }).strict(),
    handler: (ctx, { limit }) => ({
      items: (
        ctx.db
          .prepare('SELECT * FROM signing_stamp_queue ORDER BY queued_at, rowid LIMIT ?')
          .all(limit) as Row[]
      ).map((r) => ({ attachmentId: r.attachment_id, documentId: r.document_id, queuedAt: r.queued_at })),
    }),
  }),

  /** An attachment stamped (or that can never be): its row goes. */
  'signing.stampQueue.remove': syncOp({
    input: z.object({ attachmentId: Id }).strict(),
    output: z.object({ removed: z.boolean() }).strict(),
    handler: (ctx, { attachmentId }) => ({
      removed:
        ctx.db.prepare('DELETE FROM signing_stamp_queue WHERE attachment_id = ?').run(attachmentId).changes >
        0,
    }),
  }),
} as const;
