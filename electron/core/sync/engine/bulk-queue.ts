import type { InboxItem } from '../../../../shared/sync/relay-protocol';

/**
 * Large items of a round's mailbox, downloaded one at a time beside the passes over small ones
 * (see poolBySize): a 20 MB document takes many minutes on a thin link, and the messages that
 * come after it must not wait for it. Queued by id (each pass lists it again until it is
 * acknowledged), in the order queued; the first failure stops it and is reported by the round.
 */
export interface BulkQueue {
  enqueue(item: InboxItem): void;
  /** The cursors of items queued or downloading. */
  pending(): number[];
  idle(): boolean;
  failure(): unknown;
}

/** The queue's one piece of state. */
interface BulkQueueState {
  /** Items waiting, in order. */
  readonly queue: InboxItem[];
  /** Items queued or downloading, by id, with their cursors. */
  readonly known: Map<string, number>;
  /** A download is under way. */
  running: boolean;
  failure: unknown;
}

/**
 * @param receive receives one item (download, store, acknowledge).
 * @param wake called after each item, done or failed, and when the queue runs dry: a pass
 *   waiting for it looks again (and a round may end).
 */
export function createBulkQueue(
  receive: (item: InboxItem) => Promise<void>,
  signal: AbortSignal,
  wake: () => void,
): BulkQueue {
  const state: BulkQueueState = { queue: [], known: new Map(), running: false, failure: null };
  const run = async () => {
    state.running = true;
    try {
      for (let item = state.queue.shift(); item; item = state.queue.shift()) {
        if (signal.aborted || state.failure) break;
        try {
          await receive(item);
          state.known.delete(item.id);
        } catch (e) {
          state.failure = e;
        }
        wake();
      }
    } finally {
      state.running = false;
      wake();
    }
  };
  return {
    enqueue(item) {
      if (state.known.has(item.id) || state.failure) return;
      state.known.set(item.id, item.cursor);
      state.queue.push(item);
      if (!state.running) void run();
    },
    pending: () => [...state.known.values()],
    idle: () => !state.running && state.queue.length === 0,
    failure: () => state.failure,
  };
}
