import type { InboxItem } from '../../../../shared/sync/relay-protocol';
import { EnvelopeErrorCode } from '../../../../shared/sync/sync-error-codes';
import type { DeviceRelay } from '../relay';
import type { EngineStatusState } from './engine-status';
import { READ_PIECE, type EngineVault } from './engine-vault';
import type { RoundReport } from './round-report';

export interface ItemReceiverDeps {
  readonly vault: EngineVault;
  readonly now: () => number;
  /** Counters `sync.status` shows (`inboxVersion`, `rejected`). */
  readonly status: EngineStatusState;
  /** Fetches and stores HQ's directory (a sender enrolled after our copy). */
  readonly refreshDirectory: (dev: DeviceRelay) => Promise<void>;
}

/** Receives one mailbox item. */
export type ReceiveItem = (
  dev: DeviceRelay,
  item: InboxItem,
  signal: AbortSignal,
  r: RoundReport,
) => Promise<void>;

/**
 * Downloads one mailbox item into the vault (resuming what an earlier round left), opens and
 * stores it in the vault, then acknowledges it.
 */
export function createItemReceiver(deps: ItemReceiverDeps): ReceiveItem {
  const { vault, now, status } = deps;
  return async (dev, item, signal, r) => {
    let offset = (
      await vault.run('sync.download.begin', {
        id: item.id,
        sender: item.sender,
        envelopeId: item.envelopeId,
        size: item.size,
        sha256: item.sha256,
      })
    ).offset;
    if (offset < item.size) {
      let queue = Promise.resolve();
      await dev.download(
        item,
        {
          offset: () => offset,
          // A download resumed from an earlier round: the client re-hashes what is held.
          readBack: async function* () {
            const held = offset;
            for (let at = 0; at < held;) {
              const piece = await vault.run('sync.download.read', {
                itemId: item.id,
                offset: at,
                length: Math.min(READ_PIECE, held - at),
              });
              if (piece.bytes.length === 0) break;
              at += piece.bytes.length;
              yield piece.bytes;
            }
          },
          write: (chunk) => {
            const at = offset;
            offset += chunk.length;
            queue = queue.then(async () => {
              await vault.run('sync.download.append', { itemId: item.id, offset: at, bytes: chunk });
            });
            return queue;
          },
        },
        signal,
      );
      await queue;
    }
    let result = await vault.run('sync.receive', { itemId: item.id, now: now(), retryUnknownSender: true });
    if (result.status === 'rejected' && result.code === EnvelopeErrorCode.SenderUnknown) {
      // A device enrolled after our copy of the directory: refresh it once and try again.
      await deps.refreshDirectory(dev);
      result = await vault.run('sync.receive', { itemId: item.id, now: now() });
    }
    if (result.status === 'stored') {
      r.received++;
      status.inboxVersion++;
    } else if (result.status === 'duplicate') {
      r.duplicates++;
    } else {
      r.rejected++;
      status.rejected++;
    }
    // Acknowledged only now: what was stored is durable in the vault; what was refused is
    // in the audit log and must not come back.
    await dev.ack(item.id, signal);
  };
}
