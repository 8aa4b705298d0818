import { z } from 'zod';
import { AuditKindSchema, AuditRefs } from '../audit';

/**
 * The officer's own audit log (docs/protocols/audit-log-v1.md): kinds, times and ids, newest
 * first, for the screen that lists it. Read-only: nothing in the contract writes or removes an
 * entry; the core records events itself.
 */
export const AuditListInput = z
  .object({
    limit: z.number().int().min(1).max(500),
    /** Entries before this sequence number (the next page). */
    before: z.number().int().min(1).optional(),
  })
  .strict();

export const AuditListResult = z
  .object({
    entries: z.array(
      z
        .object({ seq: z.number().int(), at: z.number().int(), kind: AuditKindSchema, refs: AuditRefs })
        .strict(),
    ),
    /** Entries in the vault's chain. */
    total: z.number().int().nonnegative(),
    /** Events waiting for the vault (recorded while it was locked). */
    pending: z.number().int().nonnegative(),
  })
  .strict();
export type AuditListResult = z.infer<typeof AuditListResult>;

export const auditContract = {
  /** The officer's log, newest first (needs the vault unlocked). */
  'audit.list': { input: AuditListInput, output: AuditListResult },
} as const;
