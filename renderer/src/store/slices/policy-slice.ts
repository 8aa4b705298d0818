import type { ContractError } from '../../../../shared/contract/errors';
import type { ManagedSetting, PolicyStatus } from '../../../../shared/contract/policy-calls';
import type { Slice, SliceDeps } from '../slice';

/** What the last import did, for the Settings card: applied, already in force, or refused and why. */
export type PolicyImportOutcome =
  { kind: 'applied' | 'unchanged'; version: number } | { kind: 'refused'; error: ContractError };

export interface PolicySlice {
  policy: PolicyStatus | null;
  policyImport: PolicyImportOutcome | null;
  policyBusy: boolean;
  policyLoaded(): Promise<void>;
  /** The officer picked a policy file (from a USB stick): its text goes to the core to verify. */
  policyFileChosen(text: string): Promise<void>;
}

/** True when IT's policy decides this setting (the UI shows it as "set by IT" and locks it). */
export function isManaged(policy: PolicyStatus | null, setting: ManagedSetting): boolean {
  return policy?.managed.includes(setting) ?? false;
}

export const policySlice =
  ({ client }: SliceDeps): Slice<PolicySlice> =>
  (set) => ({
    policy: null,
    policyImport: null,
    policyBusy: false,
    async policyLoaded() {
      const result = await client.call('policy.get', {});
      if (result.ok) set({ policy: result.value });
    },
    async policyFileChosen(text) {
      set({ policyBusy: true, policyImport: null });
      const result = await client.call('policy.import', { document: text });
      if (result.ok) {
        const { unchanged, ...status } = result.value;
        set({
          policy: status,
          policyBusy: false,
          policyImport: { kind: unchanged ? 'unchanged' : 'applied', version: status.policy?.version ?? 0 },
        });
      } else set({ policyBusy: false, policyImport: { kind: 'refused', error: result.error } });
    },
  });
