import { z } from 'zod';
import { CLASSIFICATIONS } from '../domain/classification';

/**
 * What the audit log records: a closed list of security events, and the references an entry
 * may carry. References are ids, codes and small enums only, each with a pattern that leaves
 * no room for a title, a name, a PIN or any plaintext: the schema, not the caller's care, is
 * what keeps content out of the log (docs/protocols/audit-log-v1.md).
 */
export const AUDIT_KINDS = [
  'vault.created',
  'vault.unlocked',
  'vault.unlock-failed',
  'vault.locked',
  'vault.wipe-requested',
  'sign.done',
  'sign.refused',
  'verify.done',
  'sync.enrolled',
  'sync.queued',
  'sync.waiting',
  'sync.sent',
  'sync.cancelled',
  'sync.received',
  'sync.rejected',
  'sync.prekeys-deleted',
  'sync.directory-rollback',
  'sync.directory-forked',
  'sync.directory-split',
  'sync.device-refused',
  'policy.applied',
  'policy.refused',
  'update.installed',
  'update.refused',
  'document.exported',
  'document.export-refused',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];
export const AuditKindSchema = z.enum(AUDIT_KINDS);

/** Why the vault locked (the vault's `LockReason`, repeated here: shared/ imports no core). */
export const AUDIT_LOCK_REASONS = [
  'officer',
  'idle',
  'token-removed',
  'suspend',
  'worker-exit',
  'shutdown',
] as const;

/** Where an export went (`document.exported`): a file the officer chose, or a printer. */
export const AUDIT_EXPORT_CHANNELS = ['save', 'print'] as const;

/** A vault record id (documents, attachments, outbox rows): the vault's own id alphabet. */
const RecordRef = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const Hex32 = z.string().regex(/^[0-9a-f]{32}$/);

/**
 * The references of one entry: every field optional, none free text. A code is a stable error
 * code (`E_…`); a version is `MAJOR.MINOR.PATCH` or a policy's integer version.
 */
export const AuditRefs = z
  .object({
    documentId: RecordRef.optional(),
    attachmentId: RecordRef.optional(),
    /** A message whose file was exported (`attachmentId` is then the file). */
    messageId: RecordRef.optional(),
    outboxId: RecordRef.optional(),
    envelopeId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,128}$/)
      .optional(),
    itemId: Hex32.optional(),
    deviceId: Hex32.optional(),
    code: z
      .string()
      .regex(/^E_[A-Z0-9_]{1,60}$/)
      .optional(),
    reason: z.enum(AUDIT_LOCK_REASONS).optional(),
    verdict: z.enum(['valid', 'invalid', 'indeterminate']).optional(),
    /** The item's classification marking (exports, sends of Secret and above). */
    marking: z.enum(CLASSIFICATIONS).optional(),
    channel: z.enum(AUDIT_EXPORT_CHANNELS).optional(),
    count: z.number().int().nonnegative().max(1_000_000).optional(),
    version: z
      .union([
        z.number().int().nonnegative(),
        z
          .string()
          .regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/)
          .max(20),
      ])
      .optional(),
  })
  .strict();
export type AuditRefs = z.output<typeof AuditRefs>;

/**
 * The fields of `refs` that pass their schema, the others dropped: for events recorded inside
 * another transaction (a receive, a send), where a reference the log refuses must not undo
 * the event itself. Free text never passes any field's pattern.
 */
export function sanitizeRefs(refs: Record<string, unknown>): AuditRefs {
  const out: Record<string, unknown> = {};
  const shape = AuditRefs.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  for (const [k, v] of Object.entries(refs)) {
    if (v !== undefined && v !== null && shape[k]?.safeParse(v).success) out[k] = v;
  }
  return out as AuditRefs;
}

/**
 * What a part of the core holds to record events (`electron/core/audit/`'s `AuditLog`): it
 * never throws and never waits, so recording cannot fail or slow the event it records.
 */
export interface AuditRecorder {
  record(kind: AuditKind, refs?: AuditRefs): void;
}
