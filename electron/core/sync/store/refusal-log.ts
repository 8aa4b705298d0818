import { z } from 'zod';
import { SyncWarning } from '../../../../shared/contract/sync-calls';
import type { SyncErrorCode } from '../../../../shared/sync/sync-error-codes';
import { sanitizeRefs } from '../../../../shared/audit';
import { appendAuditEvents } from './audit-chain';
import type { SyncStoreContext } from './store-context';
import { Ms, NoInput, syncOp } from './worker-op';

/**
 * The store's log: one audit line per event that matters to an investigation (what was
 * queued, sent, cancelled, received, refused and why, prekeys deleted, a directory rolled
 * back) with ids and codes, never content; and the warnings the officer sees (a known device
 * revoked, or its keys changed). Each line is written in the transaction of its event.
 */

export type AuditEvent =
  | 'queued'
  | 'waiting'
  | 'sent'
  | 'cancelled'
  | 'received'
  | 'rejected'
  | 'prekeys-deleted'
  | 'directory-rollback'
  | 'directory-forked'
  | 'directory-split'
  | 'device-refused';

export interface AuditLine {
  at: number;
  event: AuditEvent;
  code?: SyncErrorCode;
  senderDevice?: string;
  envelopeId?: string;
  itemId?: string;
}

export function logEvent(ctx: SyncStoreContext, line: AuditLine): void {
  ctx.db
    .prepare(
      'INSERT INTO sync_audit (at, event, code, sender_device, envelope_id, item_id) VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(
      line.at,
      line.event,
      line.code ?? null,
      line.senderDevice ?? null,
      line.envelopeId ?? null,
      line.itemId ?? null,
    );
  // The same event in the tamper-evident chain, in the same transaction (ids and codes only).
  appendAuditEvents(ctx, [
    {
      kind: `sync.${line.event}`,
      at: line.at,
      refs: sanitizeRefs({
        code: line.code,
        deviceId: line.senderDevice,
        envelopeId: line.envelopeId,
        itemId: line.itemId,
      }),
    },
  ]);
}

export type WarningKind =
  | 'device-revoked'
  | 'keys-changed'
  | 'device-refused'
  | 'directory-rollback'
  | 'directory-forked'
  | 'directory-split';

export function warn(
  ctx: SyncStoreContext,
  kind: WarningKind,
  address: string,
  deviceId: string,
  at: number,
): void {
  ctx.db
    .prepare('INSERT INTO sync_warnings (kind, address, device_id, at) VALUES (?, ?, ?, ?)')
    .run(kind, address, deviceId, at);
}

const AuditRow = z
  .object({
    at: Ms,
    event: z.string(),
    code: z.string().nullable(),
    sender_device: z.string().nullable(),
    envelope_id: z.string().nullable(),
    item_id: z.string().nullable(),
  })
  .strict();

export const REFUSAL_LOG_OPS = {
  /** The newest 100 warnings, newest first. */
  'sync.warnings': syncOp({
    input: NoInput,
    output: z.array(SyncWarning),
    handler: (ctx) =>
      (
        ctx.db
          .prepare('SELECT kind, address, device_id, at FROM sync_warnings ORDER BY rowid DESC LIMIT 100')
          .all() as { kind: WarningKind; address: string; device_id: string; at: number }[]
      ).map((w) => ({ kind: w.kind, address: w.address, deviceId: w.device_id, at: w.at })),
  }),
  /** The newest audit lines, newest first, and how many items were received in all. */
  'sync.audit': syncOp({
    input: z.object({ limit: z.number().int().min(1).max(10_000) }).strict(),
    output: z.object({ events: z.array(AuditRow), received: z.number().int() }).strict(),
    handler: (ctx, { limit }) => ({
      events: ctx.db
        .prepare(
          'SELECT at, event, code, sender_device, envelope_id, item_id FROM sync_audit ORDER BY rowid DESC LIMIT ?',
        )
        .all(limit) as z.output<typeof AuditRow>[],
      received: ctx.db.prepare('SELECT count(*) FROM sync_seen').pluck().get() as number,
    }),
  }),
} as const;
