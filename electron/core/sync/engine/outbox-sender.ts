import type { DeviceRelay } from '../relay';
import type { Jitter } from './backoff';
import { toError } from './engine-errors';
import { READ_PIECE, type EngineVault } from './engine-vault';
import type { RoundReport } from './round-report';
import { poolBySize } from './transfer-pool';

export interface OutboxSenderDeps {
  readonly vault: EngineVault;
  readonly now: () => number;
  /** Uploads in flight at once (items over 1 MiB go one at a time beside them). */
  readonly concurrency: number;
  /** A failed row's delay before its next attempt. */
  readonly jitter: Jitter;
}

export interface OutboxSender {
  /**
   * Uploads every due outbox row, several at once (on a long, thin link one request's round
   * trips would idle it), page after page until nothing is due: a round sends the whole
   * backlog. `force` (the officer asked) sends rows still in their backoff too. A failed row
   * goes back to `queued` with its backoff (or `failed` if it cannot succeed); a retryable
   * failure means the link is down: the pass stops sending and rejects with it.
   */
  send(dev: DeviceRelay, force: boolean, signal: AbortSignal, r: RoundReport): Promise<void>;
}

/** One pass's state: the rows it tried, and the failure that said the link is down. */
interface SendPass {
  readonly tried: Set<string>;
  linkDown: unknown;
}

export function createOutboxSender(deps: OutboxSenderDeps): OutboxSender {
  const { vault, now, concurrency, jitter } = deps;

  async function dueItems(force: boolean) {
    return (await vault.run('sync.outbox.due', { now: force ? Number.MAX_SAFE_INTEGER : now(), limit: 200 }))
      .items;
  }
  type DueItem = Awaited<ReturnType<typeof dueItems>>[number];

  /** Sends one outbox row: resumable, idempotent (the relay keys it by our envelope id). */
  async function upload(dev: DeviceRelay, item: DueItem, signal: AbortSignal) {
    await vault.run('sync.outbox.update', { id: item.id, state: 'sending', now: now() });
    const bytes = new Uint8Array(item.size);
    for (let off = 0; off < item.size; off += READ_PIECE) {
      const piece = await vault.run('sync.outbox.read', { id: item.id, offset: off, length: READ_PIECE });
      bytes.set(piece.bytes, off);
    }
    let reported = 0;
    await dev.upload(
      { recipient: item.recipientDevice, envelopeId: item.relayEnvelopeId, bytes, sha256: item.sha256 },
      (sent) => {
        // Progress for the UI, at most every 256 KiB; a lost update only understates it.
        if (sent - reported >= 256 * 1024 || sent === item.size) {
          reported = sent;
          void vault
            .run('sync.outbox.update', { id: item.id, sentBytes: sent, now: now() })
            .catch(() => undefined);
        }
      },
      signal,
    );
    await vault.run('sync.outbox.update', {
      id: item.id,
      state: 'sent',
      sentBytes: item.size,
      error: null,
      now: now(),
    });
  }

  return {
    async send(dev, force, signal, r) {
      const pass: SendPass = { tried: new Set(), linkDown: null };
      for (let page = 0; page < 10_000 && !signal.aborted && !pass.linkDown; page++) {
        // A row this round already tried (and left due) ends it: the next round retries it.
        const due = (await dueItems(force)).filter((item) => !pass.tried.has(item.id));
        if (due.length === 0) break;
        for (const item of due) pass.tried.add(item.id);
        await poolBySize(due, concurrency, async (item) => {
          if (signal.aborted || pass.linkDown) return;
          try {
            await upload(dev, item, signal);
            r.sent++;
          } catch (e) {
            const err = toError(e);
            const state = err.retryable ? 'queued' : 'failed';
            await vault.run('sync.outbox.update', {
              id: item.id,
              state,
              attempt: true,
              error: { code: err.code, message: err.message },
              nextAttemptAt: now() + jitter(item.attempts + 1),
              now: now(),
            });
            if (err.retryable) pass.linkDown ??= e; // the link is down: stop this round, back off
          }
        });
      }
      if (pass.linkDown) throw pass.linkDown;
    },
  };
}
