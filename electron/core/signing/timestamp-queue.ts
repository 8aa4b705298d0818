import { CoreError, ErrorCode } from '../../../shared/contract/errors';
import type { VaultService } from '../vault';
import { readAttachment } from './document-signing';
import type { LongTermOutcome } from './long-term';
import { laterCopyName } from './signed-copy-name';
import type { SigningService } from './signing-service';

/**
 * B-B now, B-T on the next connection, B-LT once revocation data allows: a document signed
 * while the TSA could not be reached is stored at once, and its attachment waits in the vault's
 * stamp queue (sync/store/stamp-queue.ts, so it survives a restart); so does one signed B-T
 * whose certificates need revocation data. `flush` runs after each sync round, at unlock and
 * when asked (`sign.timestamps`): a waiting PDF gets its signature timestamp in place, then its
 * validation data (long-term.ts: CRLs issued after the timestamp, from policy or the configured
 * files) when they are at hand, and each new state is stored as the document's newest
 * attachment, named for its stage and never twice the same (`note.v1.signed.timestamped.pdf`,
 * `note.v1.signed.lt.pdf`: signed-copy-name.ts). An unreachable TSA stops the flush (the rest waits); a file
 * that can never be stamped (signed again since, no room) or validated (revoked…) leaves the
 * queue; one still without adequate CRLs after `LONG_TERM_DAYS` leaves it as B-T.
 */
export interface TimestampQueue {
  /** Queues documents' attachments signed B-B, if a TSA is configured (else B-B is what was asked). */
  enqueue(items: readonly { attachmentId: string; documentId: string }[]): Promise<void>;
  /** Queues documents' attachments signed B-T, for their validation data (B-LT). */
  awaitValidationData(items: readonly { attachmentId: string; documentId: string }[]): Promise<void>;
  /** Stamps and validates what it can now; answers how many were stamped and how many still wait. */
  flush(): Promise<{ stamped: number; pending: number }>;
}

const BATCH = 100;
/** How long a B-T file waits for a CRL issued after its timestamp before it is left as it is. */
export const LONG_TERM_DAYS = 30;

type Outcome = 'stamped' | 'validated' | 'waiting' | 'later' | 'never' | 'finished';

export function createTimestampQueue(deps: {
  vault: VaultService;
  signing: Pick<SigningService, 'stamp' | 'timestampConfigured' | 'longTerm'>;
  now?: () => number;
}): TimestampQueue {
  const { vault, signing } = deps;
  const now = deps.now ?? (() => Date.now());
  let running: Promise<{ stamped: number; pending: number }> | undefined;

  const unlocked = async () => (await vault.status()).state === 'unlocked';
  const pendingCount = async () => (await vault.run('signing.stampQueue.list', { limit: 1000 })).items.length;

  async function store(
    documentId: string,
    source: string,
    stage: 'timestamped' | 'lt',
    bytes: Uint8Array,
  ): Promise<string> {
    const taken = (await vault.run('documents.get', { id: documentId })).attachments.map((a) => a.name);
    const name = laterCopyName(source, stage, taken);
    const stored = await vault.run('attachments.add', {
      documentId,
      source: { kind: 'bytes', bytes },
      name,
      mediaType: 'application/pdf',
    });
    return stored.id;
  }

  /** One queued attachment: its timestamp if it lacks one, then its validation data. */
  async function processOne(item: {
    attachmentId: string;
    documentId: string;
    queuedAt: number;
  }): Promise<{ outcome: Outcome; stamped: boolean }> {
    const { attachmentId, documentId } = item;
    let name: string;
    let bytes: Uint8Array;
    try {
      const detail = await vault.run('documents.get', { id: documentId });
      const info = detail.attachments.find((a) => a.id === attachmentId);
      if (!info) return { outcome: 'never', stamped: false };
      name = info.name;
      bytes = await readAttachment(vault, attachmentId);
    } catch (e) {
      if (e instanceof CoreError && e.code === ErrorCode.NotFound)
        return { outcome: 'never', stamped: false };
      throw e;
    }
    // A file the verifier cannot read leaves the queue rather than block it.
    const longTerm = (b: Uint8Array) =>
      signing.longTerm(b).catch((): LongTermOutcome => ({ state: 'never', why: 'FORMAT_FAILURE' }));
    let lt = await longTerm(bytes);
    let stamped = false;
    if (lt.state === 'no-timestamp') {
      const result = await signing.stamp(bytes, 'pades');
      if (!result.ok)
        return {
          outcome: result.why === 'unreachable' || result.why === 'no-tsa' ? 'later' : 'never',
          stamped: false,
        };
      bytes = result.bytes;
      stamped = true;
      lt = await longTerm(bytes);
    }
    if (lt.state === 'done') {
      await store(documentId, name, 'lt', lt.bytes);
      return { outcome: 'validated', stamped };
    }
    if (lt.state === 'waiting' && now() - item.queuedAt < LONG_TERM_DAYS * 86_400_000) {
      if (!stamped) return { outcome: 'waiting', stamped };
      // Stamped now, validation data later: the B-T file is stored and waits in its place.
      const id = await store(documentId, name, 'timestamped', bytes);
      await vault.run('signing.stampQueue.add', { attachmentId: id, documentId, now: item.queuedAt });
      return { outcome: 'stamped', stamped };
    }
    if (stamped) await store(documentId, name, 'timestamped', bytes);
    return { outcome: stamped ? 'stamped' : 'finished', stamped };
  }

  async function flushOnce(): Promise<{ stamped: number; pending: number }> {
    if (!(await unlocked())) return { stamped: 0, pending: 0 };
    const { items } = await vault.run('signing.stampQueue.list', { limit: BATCH });
    let stamped = 0;
    for (const item of items) {
      const { outcome, stamped: didStamp } = await processOne(item);
      if (outcome === 'later') break;
      if (didStamp) stamped++;
      if (outcome === 'waiting') continue;
      await vault.run('signing.stampQueue.remove', { attachmentId: item.attachmentId });
    }
    return { stamped, pending: await pendingCount() };
  }

  const add = async (items: readonly { attachmentId: string; documentId: string }[]) => {
    for (const { attachmentId, documentId } of items)
      await vault.run('signing.stampQueue.add', { attachmentId, documentId, now: now() });
  };

  return {
    async enqueue(items) {
      if (items.length === 0 || !(await signing.timestampConfigured())) return;
      await add(items);
    },
    awaitValidationData: add,
    flush() {
      // One flush at a time: a round and an unlock arriving together share it.
      running ??= flushOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
