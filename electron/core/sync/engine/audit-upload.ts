import type { DeviceRelay } from '../relay';
import type { EngineVault } from './engine-vault';

/** At most this many batches per round (128 entries each): a long backlog goes over rounds. */
const MAX_BATCHES_PER_ROUND = 64;

/**
 * Sends the audit log's new entries and checkpoints to HQ's audit mailbox, sealed in the vault
 * worker to HQ's audit key. The key comes from IT's signed policy only: a relay cannot make the
 * device seal its log to a key of the relay's choosing. Without a key nothing is sent (the log
 * stays in the vault until policy names one). A batch is marked sent only after the relay
 * stored it; one cut mid-way is sealed and sent again next time (HQ keeps one copy per entry).
 */
export function createAuditUploader(vault: EngineVault, auditKey: () => Promise<Uint8Array | undefined>) {
  return async (dev: DeviceRelay): Promise<number> => {
    if (!dev.uploadAudit) return 0;
    const key = await auditKey();
    if (!key) return 0;
    let sent = 0;
    for (let i = 0; i < MAX_BATCHES_PER_ROUND; i++) {
      const b = await vault.run('audit.batch', { auditKey: key });
      if (!b) break;
      await dev.uploadAudit({
        first: b.first,
        count: b.count,
        sealed: Buffer.from(b.sealed).toString('base64'),
      });
      await vault.run('audit.uploaded', { through: b.through, checkpointsThrough: b.checkpointsThrough });
      sent += b.count;
    }
    return sent;
  };
}
