import type { StateCreator } from 'zustand';
import type { EmbassyClient } from '../../../shared/contract/client';
import { ErrorCode, type ContractError } from '../../../shared/contract/errors';
import type { AppState } from './app-store';

/** A slice of the app store (Zustand's slices pattern). */
export type Slice<T> = StateCreator<AppState, [], [], T>;

export interface SliceDeps {
  readonly client: EmbassyClient;
  /** Drop everything read from the vault (on lock, wipe, or when the vault goes away). */
  readonly resetContent: () => void;
}

/** The vault locked (idle, token pulled) or vanished (wiped) while we were using it. */
export function isVaultGone(error: ContractError): boolean {
  return error.code === ErrorCode.VaultLocked || error.code === ErrorCode.VaultAbsent;
}
