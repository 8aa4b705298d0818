import type { z } from 'zod';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type {
  OutboxItem,
  SyncDirectory,
  SyncEnrollInput,
  SyncSendInput,
  SyncStatus,
} from '../../../shared/contract/sync-calls';
import type { VaultService } from '../vault/vault-service';

/** The core's sync engine, as the handlers and the CLI see it. */
export interface SyncService {
  status(): Promise<SyncStatus>;
  enroll(input: z.output<typeof SyncEnrollInput>): Promise<SyncStatus>;
  directory(): Promise<SyncDirectory>;
  send(input: z.output<typeof SyncSendInput>): Promise<{ items: OutboxItem[] }>;
  syncNow(): Promise<SyncStatus>;
  outbox(): Promise<{ items: OutboxItem[] }>;
  retry(id: string): Promise<OutboxItem>;
  cancel(id: string): Promise<OutboxItem>;
  /** The vault opened: start background sync if enrolled. */
  start(): void;
  /** The vault locked or the core is closing: stop all transfers now. */
  stop(): Promise<void>;
}

export interface SyncServiceOptions {
  readonly vault: VaultService;
}

export function createSyncService(options: SyncServiceOptions): SyncService {
  const { vault } = options;
  const base = async (): Promise<SyncStatus> => {
    const v = await vault.status();
    return {
      enrolment: v.state === 'unlocked' ? 'none' : 'locked',
      connection: 'offline',
      pending: { count: 0, bytes: 0 },
      failed: 0,
      inboxVersion: 0,
      rejected: 0,
      warnings: [],
    };
  };
  const notEnrolled = () => new CoreError(ErrorCode.SyncNotEnrolled, 'this workstation is not enrolled');
  return {
    status: base,
    enroll: () => Promise.reject(notEnrolled()),
    directory: () => Promise.reject(notEnrolled()),
    send: () => Promise.reject(notEnrolled()),
    syncNow: () => Promise.reject(notEnrolled()),
    outbox: async () => ({ items: [] }),
    retry: () => Promise.reject(notEnrolled()),
    cancel: () => Promise.reject(notEnrolled()),
    start: () => undefined,
    stop: async () => undefined,
  };
}
