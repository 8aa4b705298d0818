import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { VaultService } from '../vault';
import { readAttachment } from './document-signing';
import { stampedCopyName } from './signed-copy-name';
import type { SigningService } from './signing-service';

/**
 * B-B now, B-T on the next connection: a document signed while the TSA could not be reached is
 * stored at once, and its attachment waits in the vault's stamp queue (sync/store/stamp-queue.ts,
 * so it survives a restart). `flush` runs after each sync round, at unlock and when asked
 * (`sign.timestamps`): each waiting PDF gets its signature timestamp in place and is stored as
 * the document's newest attachment, named apart from the B-B copy (`….signed.timestamped.pdf`). An unreachable TSA stops the flush
 * (the rest waits); a file that can never be stamped (signed again since, no room) leaves the
 * queue and stays B-B.
 */
export interface TimestampQueue {
  /** Queues documents' attachments signed B-B, if a TSA is configured (else B-B is what was asked). */
  enqueue(items: readonly { attachmentId: string; documentId: string }[]): Promise<void>;
  /** Stamps what it can now; answers how many were stamped and how many still wait. */
  flush(): Promise<{ stamped: number; pending: number }>;
}

const BATCH = 100;

export function createTimestampQueue(deps: {
  vault: VaultService;
  signing: Pick<SigningService, 'stamp' | 'timestampConfigured'>;
  now?: () => number;
}): TimestampQueue {
  const { vault, signing } = deps;
  const now = deps.now ?? (() => Date.now());
  let running: Promise<{ stamped: number; pending: number }> | undefined;

  const unlocked = async () => (await vault.status()).state === 'unlocked';
  const pendingCount = async () => (await vault.run('signing.stampQueue.list', { limit: 1000 })).items.length;

  async function stampOne(attachmentId: string, documentId: string): Promise<'stamped' | 'later' | 'never'> {
    /** The stamped copy's name: beside the B-B copy, never one the document already has. */
    let name: string;
    let bytes: Uint8Array;
    try {
      const detail = await vault.run('documents.get', { id: documentId });
      const info = detail.attachments.find((a) => a.id === attachmentId);
      if (!info) return 'never';
      name = stampedCopyName(
        info.name,
        detail.attachments.map((a) => a.name),
      );
      bytes = await readAttachment(vault, attachmentId);
    } catch (e) {
      if (e instanceof CoreError && e.code === ErrorCode.NotFound) return 'never';
      throw e;
    }
    const result = await signing.stamp(bytes, 'pades');
    if (!result.ok) return result.why === 'unreachable' || result.why === 'no-tsa' ? 'later' : 'never';
    await vault.run('attachments.add', {
      documentId,
      source: { kind: 'bytes', bytes: result.bytes },
      name,
      mediaType: 'application/pdf',
    });
    return 'stamped';
  }

  async function flushOnce(): Promise<{ stamped: number; pending: number }> {
    if (!(await unlocked())) return { stamped: 0, pending: 0 };
    const { items } = await vault.run('signing.stampQueue.list', { limit: BATCH });
    let stamped = 0;
    for (const item of items) {
      const outcome = await stampOne(item.attachmentId, item.documentId);
      if (outcome === 'later') break;
      await vault.run('signing.stampQueue.remove', { attachmentId: item.attachmentId });
      if (outcome === 'stamped') stamped++;
    }
    return { stamped, pending: await pendingCount() };
  }

  return {
    async enqueue(items) {
      if (items.length === 0 || !(await signing.timestampConfigured())) return;
      for (const { attachmentId, documentId } of items)
        await vault.run('signing.stampQueue.add', { attachmentId, documentId, now: now() });
    },
    flush() {
      // One flush at a time: a round and an unlock arriving together share it.
      running ??= flushOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
