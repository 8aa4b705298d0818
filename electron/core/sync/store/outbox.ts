import { z } from 'zod';
import type { Classification } from '../../../../shared/domain/classification';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { ErrorShape } from '../../../../shared/contract/field-schemas';
import { OutboxItem } from '../../../../shared/contract/sync-calls';
import { logEvent } from './refusal-log';
import type { SyncStoreContext } from './store-context';
import { Bytes, Hex, Id, Ms, NoInput, ReadLength, syncOp } from './worker-op';

/**
 * The outbox: one row per recipient device (`sync_outbox`), each pointing at the sealed
 * envelope, which is stored once per send in ciphertext chunks (`sync_envelope_chunks`) and
 * dropped when no row needs it any more. The engine reads due rows, sends their bytes and
 * reports progress here; sending itself is outbox-send.ts.
 */

/** Envelope bytes are kept in chunks of this size (ciphertext). */
export const ENVELOPE_CHUNK = 256 * 1024;

export interface OutboxRow {
  id: string;
  envelope_id: string;
  relay_envelope_id: string;
  kind: 'message' | 'document' | 'receipt';
  title: string;
  classification: Classification;
  recipient_address: string;
  recipient_device: string;
  size: number;
  sha256: string;
  state: OutboxItem['state'];
  sent_bytes: number;
  attempts: number;
  last_error_code: string | null;
  last_error_message: string | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
}

export function toOutboxItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    envelopeId: r.envelope_id,
    kind: r.kind,
    title: r.title,
    classification: r.classification,
    recipientAddress: r.recipient_address,
    recipientDevice: r.recipient_device,
    state: r.state,
    bytes: r.size,
    sentBytes: r.sent_bytes,
    attempts: r.attempts,
    ...(r.last_error_code
      ? { lastError: { code: r.last_error_code, message: r.last_error_message ?? '' } }
      : {}),
    createdAt: r.created_at,
    ...(r.sent_at !== null ? { sentAt: r.sent_at } : {}),
  };
}

export function outboxRow(ctx: SyncStoreContext, id: string): OutboxRow | undefined {
  return ctx.db.prepare('SELECT * FROM sync_outbox WHERE id = ?').get(id) as OutboxRow | undefined;
}

function requireRow(ctx: SyncStoreContext, id: string): OutboxRow {
  const r = outboxRow(ctx, id);
  if (!r) throw new CoreError(ErrorCode.NotFound, 'no such outbox item');
  return r;
}

/** Stores a sealed envelope's bytes in chunks. */
export function putEnvelope(ctx: SyncStoreContext, envelopeId: string, bytes: Uint8Array): void {
  const insert = ctx.db.prepare('INSERT INTO sync_envelope_chunks (envelope_id, seq, data) VALUES (?, ?, ?)');
  for (let o = 0, seq = 0; o < bytes.length; o += ENVELOPE_CHUNK, seq++) {
    insert.run(envelopeId, seq, bytes.subarray(o, o + ENVELOPE_CHUNK));
  }
}

/** Drops an envelope's ciphertext once no outbox row still needs it. */
function releaseEnvelope(ctx: SyncStoreContext, envelopeId: string): void {
  const open = ctx.db
    .prepare("SELECT count(*) FROM sync_outbox WHERE envelope_id = ? AND state NOT IN ('sent', 'cancelled')")
    .pluck()
    .get(envelopeId) as number;
  if (open === 0) ctx.db.prepare('DELETE FROM sync_envelope_chunks WHERE envelope_id = ?').run(envelopeId);
}

/** `length` bytes of an outbox row's envelope from `offset` (fewer at its end). */
function readEnvelope(ctx: SyncStoreContext, r: OutboxRow, offset: number, length: number): Uint8Array {
  const start = Math.min(offset, r.size);
  const end = Math.min(r.size, start + length);
  const out = new Uint8Array(end - start);
  if (end > start) {
    const first = Math.floor(start / ENVELOPE_CHUNK);
    const last = Math.floor((end - 1) / ENVELOPE_CHUNK);
    for (const c of ctx.db
      .prepare(
        'SELECT seq, data FROM sync_envelope_chunks WHERE envelope_id = ? AND seq BETWEEN ? AND ? ORDER BY seq',
      )
      .iterate(r.envelope_id, first, last) as Iterable<{ seq: number; data: Buffer }>) {
      const cs = c.seq * ENVELOPE_CHUNK;
      const from = Math.max(start, cs);
      const to = Math.min(end, cs + c.data.length);
      out.set(c.data.subarray(from - cs, to - cs), from - start);
    }
  }
  return out;
}

const DueItem = z
  .object({
    id: Id,
    relayEnvelopeId: z.string().max(160),
    recipientDevice: Hex(16),
    size: z.number().int().positive(),
    sha256: Hex(32),
    sentBytes: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
  })
  .strict();
export type DueItem = z.output<typeof DueItem>;

const ListLimit = z.number().int().min(1).max(1000);
const RowAt = z.object({ id: Id, now: Ms }).strict();

export const OUTBOX_OPS = {
  /** The newest rows first. */
  'sync.outbox.list': syncOp({
    input: z.object({ limit: ListLimit }).strict(),
    output: z.object({ items: z.array(OutboxItem) }).strict(),
    handler: (ctx, { limit }) => ({
      items: (
        ctx.db.prepare('SELECT * FROM sync_outbox ORDER BY rowid DESC LIMIT ?').all(limit) as OutboxRow[]
      ).map(toOutboxItem),
    }),
  }),

  /** What is still to send (rows and bytes), and how many rows failed. */
  'sync.outbox.stats': syncOp({
    input: NoInput,
    output: z.object({ count: z.number().int(), bytes: z.number().int(), failed: z.number().int() }).strict(),
    handler: (ctx) => {
      const p = ctx.db
        .prepare(
          "SELECT count(*) AS n, coalesce(sum(size - sent_bytes), 0) AS b FROM sync_outbox WHERE state IN ('queued', 'sending')",
        )
        .get() as { n: number; b: number };
      const failed = ctx.db
        .prepare("SELECT count(*) FROM sync_outbox WHERE state = 'failed'")
        .pluck()
        .get() as number;
      return { count: p.n, bytes: p.b, failed };
    },
  }),

  /** Rows ready to (re)send now, oldest first. */
  'sync.outbox.due': syncOp({
    input: z.object({ now: Ms, limit: ListLimit }).strict(),
    output: z.object({ items: z.array(DueItem) }).strict(),
    handler: (ctx, { now, limit }) => {
      const rows = ctx.db
        .prepare(
          `SELECT * FROM sync_outbox WHERE state IN ('queued', 'sending') AND next_attempt_at <= ?
           ORDER BY rowid LIMIT ?`,
        )
        .all(now, limit) as OutboxRow[];
      return {
        items: rows.map((r) => ({
          id: r.id,
          relayEnvelopeId: r.relay_envelope_id,
          recipientDevice: r.recipient_device,
          size: r.size,
          sha256: r.sha256,
          sentBytes: r.sent_bytes,
          attempts: r.attempts,
        })),
      };
    },
  }),

  /** A piece of a row's sealed envelope (ciphertext), for the upload. */
  'sync.outbox.read': syncOp({
    input: z.object({ id: Id, offset: z.number().int().nonnegative(), length: ReadLength }).strict(),
    output: z.object({ bytes: Bytes }).strict(),
    handler: (ctx, { id, offset, length }) => ({
      bytes: readEnvelope(ctx, requireRow(ctx, id), offset, length),
    }),
  }),

  /** Progress, an attempt, an error or the end of a row's upload. */
  'sync.outbox.update': syncOp({
    input: z
      .object({
        id: Id,
        state: z.enum(['sending', 'sent', 'failed', 'queued']).optional(),
        sentBytes: z.number().int().nonnegative().optional(),
        attempt: z.boolean().optional(),
        error: ErrorShape.nullable().optional(),
        nextAttemptAt: Ms.optional(),
        now: Ms,
      })
      .strict(),
    output: OutboxItem,
    handler: (ctx, input) =>
      ctx.db.transaction(() => {
        const r = requireRow(ctx, input.id);
        // A cancelled or sent row stays so: a late progress report never resurrects it.
        if (r.state === 'cancelled' || r.state === 'sent') return toOutboxItem(r);
        ctx.db
          .prepare(
            `UPDATE sync_outbox SET state = coalesce(?, state), sent_bytes = coalesce(?, sent_bytes),
               attempts = attempts + ?, last_error_code = ?, last_error_message = ?,
               next_attempt_at = coalesce(?, next_attempt_at), sent_at = ? WHERE id = ?`,
          )
          .run(
            input.state ?? null,
            input.sentBytes ?? null,
            input.attempt ? 1 : 0,
            input.error === null ? null : (input.error?.code ?? r.last_error_code),
            input.error === null ? null : (input.error?.message ?? r.last_error_message),
            input.nextAttemptAt ?? null,
            input.state === 'sent' ? input.now : null,
            input.id,
          );
        if (input.state === 'sent') {
          logEvent(ctx, { at: input.now, event: 'sent', envelopeId: r.envelope_id });
          releaseEnvelope(ctx, r.envelope_id);
        }
        return toOutboxItem(requireRow(ctx, input.id));
      })(),
  }),

  /** A failed row is queued again, now, with its attempts reset. */
  'sync.outbox.retry': syncOp({
    input: RowAt,
    output: OutboxItem,
    handler: (ctx, { id, now }) => {
      const r = requireRow(ctx, id);
      if (r.state !== 'failed') return toOutboxItem(r);
      ctx.db
        .prepare("UPDATE sync_outbox SET state = 'queued', next_attempt_at = ?, attempts = 0 WHERE id = ?")
        .run(now, id);
      return toOutboxItem(requireRow(ctx, id));
    },
  }),

  /** A row not sent yet is cancelled (for good); its envelope goes once no row needs it. */
  'sync.outbox.cancel': syncOp({
    input: RowAt,
    output: OutboxItem,
    handler: (ctx, { id, now }) =>
      ctx.db.transaction(() => {
        const r = requireRow(ctx, id);
        if (r.state === 'sent' || r.state === 'cancelled') return toOutboxItem(r);
        ctx.db.prepare("UPDATE sync_outbox SET state = 'cancelled' WHERE id = ?").run(id);
        logEvent(ctx, { at: now, event: 'cancelled', envelopeId: r.envelope_id });
        releaseEnvelope(ctx, r.envelope_id);
        return toOutboxItem(requireRow(ctx, id));
      })(),
  }),
} as const;
