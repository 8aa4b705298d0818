import type { ContractError } from '../../../../shared/contract/errors';
import type { UpdateStatus } from '../../../../shared/contract/update-calls';
import type { Slice, SliceDeps } from '../slice';

/** Signed updates for the About card: where the update stands, and the officer's three steps. */
export interface UpdatesSlice {
  updates: UpdateStatus | null;
  /** A call the core refused outright (not an update refusal, which is in `updates.refused`). */
  updatesError: ContractError | null;
  updatesLoaded(): Promise<void>;
  updateCheckRequested(): Promise<void>;
  updateDownloadRequested(): Promise<void>;
  updateInstallRequested(): Promise<void>;
}

export const updatesSlice =
  ({ client }: SliceDeps): Slice<UpdatesSlice> =>
  (set) => {
    /** Each step answers the status; a refusal is read back from the status the core kept. */
    const step = async (name: 'updates.check' | 'updates.download' | 'updates.install') => {
      set({ updatesError: null });
      const result = await client.call(name, {});
      if (result.ok) return set({ updates: result.value });
      const status = await client.call('updates.status', {});
      if (status.ok && status.value.refused) set({ updates: status.value });
      else set({ updatesError: result.error, ...(status.ok ? { updates: status.value } : {}) });
    };
    return {
      updates: null,
      updatesError: null,
      async updatesLoaded() {
        const result = await client.call('updates.status', {});
        if (result.ok) set({ updates: result.value });
      },
      updateCheckRequested: () => step('updates.check'),
      updateDownloadRequested: () => step('updates.download'),
      updateInstallRequested: () => step('updates.install'),
    };
  };
