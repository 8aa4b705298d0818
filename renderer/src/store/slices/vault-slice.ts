import type { CallInput } from '../../../../shared/contract/calls';
import type { ContractError } from '../../../../shared/contract/errors';
import type { VaultStatus } from '../../../../shared/contract/vault-calls';
import type { Slice, SliceDeps } from '../slice';

export interface VaultSlice {
  /** Null until the first `vault.status` answer. */
  vault: VaultStatus | null;
  /** The last failed vault action (wrong PIN, other token…), shown where it happened. */
  vaultError: ContractError | null;
  vaultBusy: boolean;
  /** A vault was just created: the first-run wizard stays until the officer moves on. */
  onboarding: boolean;
  firstRunFinished(): void;
  vaultStatusRequested(): Promise<void>;
  vaultCreateSubmitted(input: CallInput<'vault.create'>): Promise<boolean>;
  vaultUnlockSubmitted(input: CallInput<'vault.unlock'>): Promise<boolean>;
  lockRequested(): Promise<void>;
  /** The officer did something: restart the idle countdown (throttled by the caller). */
  activitySeen(): Promise<void>;
  idleTimeoutChosen(seconds: number): Promise<boolean>;
  wipeConfirmed(): Promise<{ elapsedMs: number; hq: 'told' | 'not-told' | 'not-enrolled' } | null>;
  sampleDataRequested(): Promise<boolean>;
  /** Any call answered E_VAULT_LOCKED / E_VAULT_ABSENT: the vault changed under us. */
  vaultGone(): void;
}

export const vaultSlice =
  ({ client, resetContent }: SliceDeps): Slice<VaultSlice> =>
  (set, get) => {
    /** Runs a vault action that answers a VaultStatus; clears or records the error. */
    const act = async (run: () => ReturnType<typeof client.call<'vault.status'>>): Promise<boolean> => {
      set({ vaultBusy: true, vaultError: null });
      const result = await run();
      if (result.ok) {
        const wasUnlocked = get().vault?.state === 'unlocked';
        set({ vault: result.value, vaultBusy: false });
        if (wasUnlocked && result.value.state !== 'unlocked') resetContent();
        return true;
      }
      set({ vaultError: result.error, vaultBusy: false });
      return false;
    };
    return {
      vault: null,
      vaultError: null,
      vaultBusy: false,
      onboarding: false,
      firstRunFinished: () => set({ onboarding: false }),
      async vaultStatusRequested() {
        const result = await client.call('vault.status', {});
        if (!result.ok) return;
        const wasUnlocked = get().vault?.state === 'unlocked';
        set({ vault: result.value });
        if (wasUnlocked && result.value.state !== 'unlocked') resetContent();
      },
      async vaultCreateSubmitted(input) {
        // Before the call: the status it answers (unlocked) must not flip the gate to the list.
        set({ onboarding: true });
        const created = await act(() => client.call('vault.create', input));
        if (!created) set({ onboarding: false });
        return created;
      },
      vaultUnlockSubmitted: (input) => act(() => client.call('vault.unlock', input)),
      async lockRequested() {
        // Clear what the renderer holds first: locking must not wait for the core to answer.
        resetContent();
        await act(() => client.call('vault.lock', {}));
      },
      async activitySeen() {
        if (get().vault?.state !== 'unlocked') return;
        const result = await client.call('vault.touch', {});
        if (result.ok) set({ vault: result.value });
        else get().vaultGone();
      },
      idleTimeoutChosen: (seconds) =>
        act(() => client.call('vault.configure', { idleTimeoutSeconds: seconds })),
      async wipeConfirmed() {
        set({ vaultBusy: true, vaultError: null });
        resetContent();
        const result = await client.call('vault.wipe', { confirm: 'WIPE' });
        set({ vaultBusy: false });
        if (!result.ok) {
          set({ vaultError: result.error });
          return null;
        }
        await get().vaultStatusRequested();
        return { elapsedMs: result.value.elapsedMs, hq: result.value.hq };
      },
      async sampleDataRequested() {
        set({ vaultBusy: true, vaultError: null });
        const result = await client.call('vault.loadSampleData', {});
        set({ vaultBusy: false });
        if (!result.ok) {
          set({ vaultError: result.error });
          return false;
        }
        get().documentsInvalidated();
        return true;
      },
      vaultGone() {
        resetContent();
        void get().vaultStatusRequested();
      },
    };
  };
