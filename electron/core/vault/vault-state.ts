import type { KeyFile } from './key-file';
import type { VaultWorker } from './vault-worker-client';

/** Why the vault locked (for the audit log and the UI's message). */
export type LockReason = 'officer' | 'idle' | 'token-removed' | 'suspend' | 'worker-exit' | 'shutdown';

/**
 * What the vault service holds between calls, in one object shared by its parts (key
 * lifecycle, wipe, status). No key: keys live only in the worker.
 */
export interface VaultState {
  /** The worker thread of the open session; null while locked or absent. */
  worker: VaultWorker | null;
  /** The key file as last read or written; null until read, and after a wipe. */
  keyFile: KeyFile | null;
}
