import type { AuditListResult } from '../../../../shared/contract/audit-calls';
import type { ContractError } from '../../../../shared/contract/errors';
import type { Slice, SliceDeps } from '../slice';

/** The officer's own audit log (newest first), read on request; emptied at lock. */
export interface AuditSlice {
  audit: AuditListResult | null;
  auditError: ContractError | null;
  auditRequested(): Promise<void>;
  auditReset(): void;
}

/** Entries shown at once: the newest; the log itself is longer. */
export const AUDIT_PAGE = 200;

export const auditSlice =
  ({ client }: SliceDeps): Slice<AuditSlice> =>
  (set) => ({
    audit: null,
    auditError: null,
    async auditRequested() {
      const result = await client.call('audit.list', { limit: AUDIT_PAGE });
      if (result.ok) set({ audit: result.value, auditError: null });
      else set({ audit: null, auditError: result.error });
    },
    auditReset: () => set({ audit: null, auditError: null }),
  });
