import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import { RelayErrorCode, RelayLinkErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { DeviceRelay } from '../relay';
import { contractError, toError } from './engine-errors';
import type { EngineStatusState } from './engine-status';
import { isUnlocked, type EngineVault } from './engine-vault';
import type { InboxReceiver } from './inbox-receiver';
import type { OutboxSender } from './outbox-sender';
import type { RelayConnection } from './relay-connection';
import { newRoundReport, type RoundReport } from './round-report';

/** What the scheduler gives a round. */
export interface RoundContext {
  /** Aborted when the engine stops (the vault locked, the core closing). */
  readonly signal: AbortSignal;
  /** Whether the officer asked for this round ("sync now"); read once, as sending starts. */
  takeForce(): boolean;
  /** Opens the relay's push channel for `dev` unless one is open. */
  ensurePush(dev: DeviceRelay): void;
  /** The link worked: background rounds go back to their interval. */
  succeeded(): void;
  /** The link failed: background rounds back off further. */
  failed(): void;
}

export interface RoundDeps {
  readonly vault: EngineVault;
  readonly now: () => number;
  /** Prekey rotation policy (tests shorten it). */
  readonly prekeyPolicy: { rotateEveryMs: number; graceMs: number } | undefined;
  readonly connection: RelayConnection;
  readonly status: EngineStatusState;
  readonly sender: OutboxSender;
  readonly receiver: InboxReceiver;
  readonly refreshDirectory: (dev: DeviceRelay) => Promise<void>;
  /** Fetches IT's policy from the relay and hands it to the policy service (never fails the round). */
  readonly refreshPolicy?: (dev: DeviceRelay) => Promise<void>;
  /** Sends the audit log's new batches to HQ's audit mailbox (never fails the round). */
  readonly uploadAudit?: (dev: DeviceRelay) => Promise<number>;
}

/**
 * One round: HQ's directory (opening the session is the approval check), prekeys to publish,
 * push, then the outbox and the inbox side by side. It never rejects for a sync failure: the
 * failure is in its report, in `sync.status` and in the backoff.
 */
export function createRound(deps: RoundDeps): (ctx: RoundContext) => Promise<RoundReport> {
  const { vault, now, status, sender, receiver } = deps;
  return async (ctx) => {
    const r = newRoundReport();
    const { signal } = ctx;
    try {
      if (!(await isUnlocked(vault))) throw new CoreError(ErrorCode.VaultLocked, 'the vault is locked');
      const { dev, id } = await deps.connection.device();
      if (id.status === 'new') throw new CoreError(ErrorCode.SyncNotEnrolled, 'enrolment was not completed');
      if (id.status === 'revoked') throw new CoreError(ErrorCode.SyncRevoked, 'HQ revoked this workstation');
      status.connection = 'connecting';
      // The directory needs a session, and opening one is the approval check: the relay refuses
      // pending and revoked devices (handled below, whichever request meets it first).
      await deps.refreshDirectory(dev);
      await deps.refreshPolicy?.(dev);
      if (id.status === 'pending') await vault.run('sync.identity.update', { status: 'approved' });
      status.connection = 'syncing';
      const plan = await vault.run('sync.prekeys.plan', {
        now: now(),
        ...(deps.prekeyPolicy ? { policy: deps.prekeyPolicy } : {}),
      });
      if (plan.publish.length) {
        await dev.publishPrekeys(plan.publish);
        await vault.run('sync.prekeys.published', { ids: plan.publish.map((p) => p.prekeyId) });
        await deps.refreshDirectory(dev);
      }
      ctx.ensurePush(dev);
      // Sends that waited for a recipient's keys are sealed now if the directory has them.
      await vault.run('sync.waiting.seal', { now: now() });

      // Sending and receiving run side by side: the link is full duplex, and mail from HQ must
      // not wait behind a long outbox (a 20 MB upload at satellite speed takes many minutes).
      const force = ctx.takeForce();
      const outbox = { done: false };
      const [sending, receiving] = await Promise.allSettled([
        sender.send(dev, force, signal, r).finally(() => {
          outbox.done = true;
          receiver.nudge();
        }),
        receiver.receiveWhileSending(dev, signal, r, outbox),
      ]);
      // After mail, so this round's sends and receipts travel with it; the log stays in the vault
      // if this fails, and the next round sends it.
      await deps.uploadAudit?.(dev).catch(() => 0);
      if (sending.status === 'rejected') throw sending.reason;
      if (receiving.status === 'rejected') throw receiving.reason;
      status.lastSyncAt = now();
      status.connection = 'online';
      status.lastError = undefined;
      ctx.succeeded();
    } catch (e) {
      const err = toError(e);
      if (err.code === RelayErrorCode.DevicePending) {
        await vault.run('sync.identity.update', { status: 'pending' }).catch(() => undefined);
        status.connection = 'online';
      } else if (err.code === RelayErrorCode.DeviceRevoked) {
        await vault.run('sync.identity.update', { status: 'revoked' }).catch(() => undefined);
      }
      r.errors.push({ code: err.code, message: err.message });
      status.lastError = { code: contractError(e).code, message: err.message };
      if (
        err.retryable ||
        err.code === RelayLinkErrorCode.Network ||
        err.code === RelayLinkErrorCode.Timeout
      ) {
        status.connection = 'offline';
        ctx.failed();
      } else if (status.connection !== 'online') {
        status.connection = 'offline';
      }
    }
    if (await isUnlocked(vault).catch(() => false)) {
      const stats = await vault.run('sync.outbox.stats', {});
      r.pending = stats.count;
      r.failed = stats.failed;
    }
    status.report = r;
    return r;
  };
}
