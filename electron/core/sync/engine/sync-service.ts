import { createAuditUploader } from './audit-upload';
import type { z } from 'zod';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import type {
  OutboxItem,
  SyncDirectory,
  SyncEnrollInput,
  SyncSendInput,
  SyncStatus,
} from '../../../../shared/contract/sync-calls';
import type { SigningService } from '../../signing';
import type { VaultService } from '../../vault';
import { createJitter, DEFAULT_BACKOFF } from './backoff';
import { refreshDirectory, type IdentityTrustSources } from './directory-refresh';
import { createEnrolment } from './enrolment';
import { newEngineStatus, readStatus } from './engine-status';
import { isUnlocked, readIdentity } from './engine-vault';
import { createInboxReceiver } from './inbox-receiver';
import { createOutboxSender } from './outbox-sender';
import { createItemReceiver } from './receive-item';
import { createRelayConnection } from './relay-connection';
import { createRound } from './round';
import type { RoundReport } from './round-report';
import { createRoundScheduler } from './round-scheduler';
import { tellHqWiped, type WipeNotice } from './wipe-notice';

/** The core's sync engine, as the handlers and the CLI see it. */
export interface SyncService {
  status(): Promise<SyncStatus>;
  enroll(input: z.output<typeof SyncEnrollInput>): Promise<SyncStatus>;
  directory(): Promise<SyncDirectory>;
  send(input: z.output<typeof SyncSendInput>): Promise<{ items: OutboxItem[] }>;
  /** One full round now (prekeys, directory, outbox, inbox); answers the status after it. */
  syncNow(): Promise<SyncStatus>;
  outbox(): Promise<{ items: OutboxItem[] }>;
  retry(id: string): Promise<OutboxItem>;
  cancel(id: string): Promise<OutboxItem>;
  /** What one round did (for `embassy sync --once --json`). */
  lastRound(): RoundReport | null;
  /** Something was queued outside `send` (a receipt): a round soon, if sync is running. */
  queued(): void;
  /**
   * Before an emergency wipe: stop, then tell HQ (a notice the device key signs) so that HQ
   * revokes this device; never throws, gives up after a few seconds (wipe-notice.ts).
   */
  reportWiped(): Promise<WipeNotice>;
  /** The vault opened: start background sync if enrolled. */
  start(): void;
  /** The vault locked or the core is closing: stop all transfers now. */
  stop(): Promise<void>;
}

export interface SyncServiceOptions {
  readonly vault: VaultService;
  readonly signing: Pick<SigningService, 'signRaw'>;
  readonly now?: () => number;
  /** Background rounds (default 30 s; a push or "sync now" starts one at once). */
  readonly intervalMs?: number;
  /** Backoff after a failed round or upload: base and ceiling (full jitter). */
  readonly backoff?: { baseMs: number; maxMs: number };
  /** Prekey rotation policy (tests shorten it). */
  readonly prekeyPolicy?: { rotateEveryMs: number; graceMs: number };
  /** Relay client options (tests lower timeouts). */
  readonly relay?: { timeoutMs?: number };
  /** Transfers in flight at once (default 4). */
  readonly concurrency?: number;
  /** Keep a WebSocket to the relay for live mail (default on). */
  readonly push?: boolean;
  /**
   * Where the policy HQ publishes goes on every round: the policy service verifies it against
   * IT's root. A refusal keeps the policy in force and does not fail the round (the relay is
   * only a mirror; a refused file is its problem, not the officer's mail).
   */
  readonly importPolicy?: (text: string) => Promise<unknown>;
  /**
   * The anchors (DER) and CRLs this workstation holds for officers' identities: the shipped and
   * configured ones. Enrolment pins the anchors in the vault; every directory is checked against
   * the pinned ones and these. None by default: then no device is trusted.
   */
  readonly identityTrust?: () => Promise<IdentityTrustSources>;
  /** HQ's audit key from IT's signed policy (none: the audit log is not sent). */
  readonly auditKey?: () => Promise<Uint8Array | undefined>;
  /** Told after every round (each is a connection): work that waits for one runs then. */
  readonly afterRound?: () => void;
}

/** The round, then `after` (whatever the round's outcome: the caller's work checks for itself). */
function withAfterRound<C, R>(round: (ctx: C) => Promise<R>, after?: () => void): (ctx: C) => Promise<R> {
  if (!after) return round;
  return async (ctx) => {
    try {
      return await round(ctx);
    } finally {
      after();
    }
  };
}

/**
 * The sync engine put together from its parts: the relay connection, enrolment, the round
 * (outbox sender and inbox receiver side by side) and its scheduler. Each part keeps its own
 * state; this file only wires them and answers the contract's calls.
 */
export function createSyncService(options: SyncServiceOptions): SyncService {
  const { vault } = options;
  const now = options.now ?? (() => Date.now());
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const concurrency = options.concurrency ?? 4;
  const jitter = createJitter(backoff);

  const status = newEngineStatus();
  const connection = createRelayConnection(vault, options.relay);
  const trust = options.identityTrust ?? (async () => ({ anchors: [], crls: [] }));
  const refreshDir = (dev: Parameters<typeof refreshDirectory>[2]) =>
    refreshDirectory(vault, now, dev, trust);
  const receiver = createInboxReceiver({
    vault,
    concurrency,
    receiveItem: createItemReceiver({ vault, now, status, refreshDirectory: refreshDir }),
  });
  const scheduler = createRoundScheduler({
    intervalMs: options.intervalMs ?? 30_000,
    backoffBaseMs: backoff.baseMs,
    jitter,
    push: options.push !== false,
    onPush: () => receiver.nudge(),
    round: withAfterRound(
      createRound({
        vault,
        now,
        prekeyPolicy: options.prekeyPolicy,
        connection,
        status,
        sender: createOutboxSender({ vault, now, concurrency, jitter }),
        receiver,
        refreshDirectory: refreshDir,
        uploadAudit: createAuditUploader(vault, options.auditKey ?? (async () => undefined)),
        refreshPolicy: async (dev) => {
          const importPolicy = options.importPolicy;
          if (!importPolicy || !dev.policy) return;
          const text = await dev.policy().catch(() => null);
          if (text !== null) await importPolicy(text).catch(() => undefined);
        },
      }),
      options.afterRound,
    ),
  });
  const enroll = createEnrolment({ vault, signing: options.signing, now, connection, trust });
  const currentStatus = () => readStatus(vault, status);
  const kickIfRunning = () => {
    if (scheduler.isRunning()) void scheduler.kick();
  };

  return {
    status: currentStatus,

    async enroll(input) {
      await enroll(input);
      kickIfRunning();
      return currentStatus();
    },

    async directory() {
      if (!(await isUnlocked(vault))) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      return vault.run('sync.directory.get', { now: now() });
    },

    async send(input) {
      if (!(await isUnlocked(vault))) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const result = await vault.run('sync.send', { send: input, now: now() });
      kickIfRunning();
      return result;
    },

    queued() {
      kickIfRunning();
    },

    async syncNow() {
      if (!(await isUnlocked(vault))) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const id = await readIdentity(vault);
      if (!id || id.status === 'new') throw new CoreError(ErrorCode.SyncNotEnrolled, 'not enrolled');
      await scheduler.runNow();
      return currentStatus();
    },

    async outbox() {
      if (!(await isUnlocked(vault))) return { items: [] };
      const waiting = await vault.run('sync.waiting.list', { limit: 200 });
      const queued = await vault.run('sync.outbox.list', { limit: 200 });
      return { items: [...waiting.items, ...queued.items].slice(0, 400) };
    },

    async retry(id) {
      const item = await vault.run('sync.outbox.retry', { id, now: now() });
      kickIfRunning();
      return item;
    },

    async cancel(id) {
      const waiting = (await vault.run('sync.waiting.list', { limit: 1000 })).items.find((i) => i.id === id);
      if (waiting) {
        await vault.run('sync.waiting.cancel', { id, now: now() });
        return { ...waiting, state: 'cancelled' };
      }
      return vault.run('sync.outbox.cancel', { id, now: now() });
    },

    lastRound: () => status.report,

    async reportWiped() {
      // No round may hold the session or write the vault while it goes.
      const finishing = scheduler.stop();
      if (finishing) await finishing.catch(() => undefined);
      return tellHqWiped(vault, connection, now);
    },

    start() {
      scheduler.start(async () => {
        const id = await readIdentity(vault).catch(() => null);
        return !!id && id.status !== 'new';
      });
    },

    async stop() {
      const finishing = scheduler.stop();
      status.connection = 'offline';
      if (finishing) await finishing.catch(() => undefined);
      connection.close();
    },
  };
}
