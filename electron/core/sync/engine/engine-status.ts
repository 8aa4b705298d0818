import type { ContractError } from '../../../../shared/contract/errors';
import type { SyncStatus } from '../../../../shared/contract/sync-calls';
import { isUnlocked, readIdentity, type EngineVault } from './engine-vault';
import type { RoundReport } from './round-report';

/**
 * What the engine knows beyond the vault, as `sync.status` shows it: written by rounds (the
 * connection, last sync, last error, the report) and by the receiver (counters the UI watches
 * to reload its lists).
 */
export interface EngineStatusState {
  connection: SyncStatus['connection'];
  lastSyncAt: number | undefined;
  lastError: ContractError | undefined;
  /** Grows with every item stored: the UI reloads its lists when it moves. */
  inboxVersion: number;
  /** Items refused since the core started. */
  rejected: number;
  /** The last round's report. */
  report: RoundReport | null;
}

export function newEngineStatus(): EngineStatusState {
  return {
    connection: 'offline',
    lastSyncAt: undefined,
    lastError: undefined,
    inboxVersion: 0,
    rejected: 0,
    report: null,
  };
}

/** `sync.status`: the engine's state with the vault's outbox counts; no network I/O. */
export async function readStatus(vault: EngineVault, state: EngineStatusState): Promise<SyncStatus> {
  if (!(await isUnlocked(vault))) {
    return {
      enrolment: 'locked',
      connection: 'offline',
      pending: { count: 0, bytes: 0 },
      failed: 0,
      inboxVersion: state.inboxVersion,
      rejected: state.rejected,
      warnings: [],
    };
  }
  const id = await readIdentity(vault);
  const stats = await vault.run('sync.outbox.stats', {});
  const warnings = id ? await vault.run('sync.warnings', {}) : [];
  return {
    enrolment: !id || id.status === 'new' ? 'none' : id.status,
    ...(id && id.status !== 'new' ? { deviceId: id.deviceId } : {}),
    ...(id?.address ? { address: id.address } : {}),
    ...(id ? { hq: { url: id.hqUrl, fingerprint: id.hqFingerprint } } : {}),
    connection: state.connection,
    ...(state.lastSyncAt !== undefined ? { lastSyncAt: state.lastSyncAt } : {}),
    pending: { count: stats.count, bytes: stats.bytes },
    failed: stats.failed,
    inboxVersion: state.inboxVersion,
    rejected: state.rejected,
    ...(state.lastError ? { lastError: state.lastError } : {}),
    warnings,
  };
}
