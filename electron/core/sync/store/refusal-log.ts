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
 * back) with ids and codes, never content; and the warnings the officer sees (a contact's device
 * added, removed, revoked, its keys or certificate changed, a verified contact's safety number
 * changed, a device refused), each naming the token certificate that vouches for the device.
 * Each line is written in the transaction of its event.
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
  | 'directory-split'
  | 'device-added'
  | 'device-removed'
  | 'certificate-changed'
  | 'verification-lost';

/** The token certificate that vouches for a device, as a notice names it. */
export interface VouchingCertificate {
  subject: string;
  issuer: string;
  /** SHA-256 of the certificate (DER), lowercase hex. */
  fingerprint: string;
}

export function warn(
  ctx: SyncStoreContext,
  kind: WarningKind,
  address: string,
  deviceId: string,
  at: number,
  certificate?: VouchingCertificate,
): void {
  ctx.db
    .prepare(
      `INSERT INTO sync_warnings (kind, address, device_id, at, cert_subject, cert_issuer, cert_fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      kind,
      address,
      deviceId,
      at,
      certificate?.subject ?? null,
      certificate?.issuer ?? null,
      certificate?.fingerprint ?? null,
    );
}

interface WarningRow {
  kind: WarningKind;
  address: string;
  device_id: string;
  at: number;
  cert_subject: string | null;
  cert_issuer: string | null;
  cert_fingerprint: string | null;
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
          .prepare(
            `SELECT kind, address, device_id, at, cert_subject, cert_issuer, cert_fingerprint
             FROM sync_warnings ORDER BY rowid DESC LIMIT 100`,
          )
          .all() as WarningRow[]
      ).map((w) => ({
        kind: w.kind,
        address: w.address,
        deviceId: w.device_id,
        at: w.at,
        ...(w.cert_fingerprint !== null
          ? {
              certificate: {
                subject: w.cert_subject ?? '',
                issuer: w.cert_issuer ?? '',
                fingerprint: w.cert_fingerprint,
              },
            }
          : {}),
      })),
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
