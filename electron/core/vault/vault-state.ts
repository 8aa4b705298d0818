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

/**
 * What the vault tells the audit log (electron/core/audit/, wired by the core): the vault does
 * not know the log, only these moments. `closing` runs before the database closes, with the
 * closing session's worker, so the lock and a signed checkpoint land in the vault it locks.
 */
export interface VaultAuditHooks {
  opened(kind: 'created' | 'unlocked'): void;
  unlockFailed(code: string): void;
  closing(reason: LockReason, run: (op: string, input: unknown) => Promise<unknown>): Promise<void>;
  wipeRequested(): void;
}
