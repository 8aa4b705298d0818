import type { DeviceRelay } from '../relay';
import { createBulkQueue, type BulkQueue } from './bulk-queue';
import { toError } from './engine-errors';
import { readIdentity, type EngineVault } from './engine-vault';
import type { ReceiveItem } from './receive-item';
import type { RoundReport } from './round-report';
import { BULK_ITEM_BYTES, pool } from './transfer-pool';

/** How often a round whose outbox is still sending looks at the inbox when no push arrives. */
export const INBOX_POLL_MS = 5_000;

export interface InboxReceiverDeps {
  readonly vault: EngineVault;
  /** Small items received at once. */
  readonly concurrency: number;
  readonly receiveItem: ReceiveItem;
}

export interface InboxReceiver {
  /**
   * The inbox, for as long as the outbox is sending (`outbox.done` false) or a large item is
   * downloading: mail that arrives meanwhile (woken by {@link nudge}, else polled every
   * INBOX_POLL_MS) is fetched now, not after the last upload or download, and a cut link
   * (transfers resume by themselves) means trying again shortly, with backoff, rather than
   * leaving the inbox to the next round. Once sending and large downloads are over, one last
   * pass.
   */
  receiveWhileSending(
    dev: DeviceRelay,
    signal: AbortSignal,
    r: RoundReport,
    outbox: { done: boolean },
  ): Promise<void>;
  /** Wakes a round's receiver waiting for mail (the relay's push, or the outbox's end). */
  nudge(): void;
}

/** The receiver's state across rounds: how to wake the pass that waits, if one does. */
interface ReceiverState {
  wake: (() => void) | null;
}

/** One pass's state over the mailbox. */
interface InboxPass {
  /** The cursor of the last item listed. */
  listed: number;
  /** The lowest cursor of a small item not done (failed, or skipped after a failure). */
  failedAt: number | null;
  failure: unknown;
}

export function createInboxReceiver(deps: InboxReceiverDeps): InboxReceiver {
  const { vault, concurrency, receiveItem } = deps;
  const state: ReceiverState = { wake: null };

  /**
   * Downloads, verifies, stores and acknowledges the mailbox's small items, page by page, and
   * hands large ones to `bulk`. The relay lists only unacknowledged items, so a cursor kept low
   * is harmless; one moved past an item not yet stored would skip it. It moves only over items
   * done: below the first that failed, is queued or is downloading.
   */
  async function receiveInbox(dev: DeviceRelay, signal: AbortSignal, r: RoundReport, bulk: BulkQueue) {
    const saved = (await readIdentity(vault))?.inboxCursor ?? 0;
    const pass: InboxPass = { listed: saved, failedAt: null, failure: null };
    for (let page = 0; page < 10_000 && !signal.aborted && !pass.failure; page++) {
      const inbox = await dev.inbox(pass.listed, 50, signal);
      const small = inbox.items.filter((i) => i.size <= BULK_ITEM_BYTES);
      for (const item of inbox.items) if (item.size > BULK_ITEM_BYTES) bulk.enqueue(item);
      await pool(small, concurrency, async (item) => {
        if (signal.aborted || pass.failure) {
          pass.failedAt = Math.min(pass.failedAt ?? item.cursor, item.cursor);
          return;
        }
        try {
          await receiveItem(dev, item, signal, r);
        } catch (e) {
          pass.failedAt = Math.min(pass.failedAt ?? item.cursor, item.cursor);
          pass.failure ??= e;
        }
      });
      pass.listed = inbox.items[inbox.items.length - 1]?.cursor ?? pass.listed;
      const undone = Math.min(pass.failedAt ?? Infinity, ...bulk.pending());
      const cursor = Math.min(pass.listed, undone - 1);
      if (cursor > ((await readIdentity(vault))?.inboxCursor ?? 0)) {
        await vault.run('sync.identity.update', { inboxCursor: cursor });
      }
      if (!inbox.more) break;
    }
    if (pass.failure) throw pass.failure;
  }

  /** Resolves after `ms`, on abort, or when nudged, whichever comes first. */
  function nudged(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal.removeEventListener('abort', done);
        if (state.wake === done) state.wake = null;
        resolve();
      };
      const timeout = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      state.wake = done;
    });
  }

  const nudge = () => state.wake?.();

  return {
    nudge,

    async receiveWhileSending(dev, signal, r, outbox) {
      const bulk = createBulkQueue((item) => receiveItem(dev, item, signal, r), signal, nudge);
      const handled = () => r.received + r.duplicates + r.rejected;
      const busy = () => !outbox.done || !bulk.idle();
      for (let failed = 0; ;) {
        const last = !busy();
        const before = handled();
        try {
          await receiveInbox(dev, signal, r, bulk);
          failed = 0;
        } catch (e) {
          if (last || signal.aborted || !toError(e).retryable) throw e;
          // A pass that stored mail before the cut made progress: the link works between cuts,
          // so try again soon. Only passes that got nothing back off further.
          failed = handled() > before ? 1 : failed + 1;
        }
        if (bulk.failure()) throw bulk.failure();
        // Done after the pass that began with nothing sending or downloading and queued nothing
        // new, or a clean pass during which both ended.
        if (signal.aborted || (!busy() && (last || failed === 0))) return;
        if (busy()) await nudged(failed > 0 ? Math.min(30_000, 1000 * 2 ** failed) : INBOX_POLL_MS, signal);
      }
    },
  };
}
