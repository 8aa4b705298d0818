import type { AuditKind, AuditRecorder, AuditRefs } from '../../../shared/audit';
import { sanitizeRefs } from '../../../shared/audit';
import { CoreError, ErrorCode } from '../../../shared/contract/errors';

/**
 * The core's face of the audit log: `record(kind, refs)` from anywhere on the core's thread.
 * Events wait in memory (a short queue, never on disk outside the vault) and are appended to
 * the vault's hash chain (`audit.append` in the worker) in one batch every few milliseconds,
 * so a burst of events costs the caller's loop one message, not one per event. While the
 * vault is locked (a failed PIN, a lock) they wait for the next unlock; the lock itself is
 * written, with a signed checkpoint, before the database closes (`closing`).
 */

/** The worker's audit operations as the log calls them. */
export type AuditSink = <O extends 'audit.append' | 'audit.checkpoint'>(
  op: O,
  input: O extends 'audit.append'
    ? { events: { kind: AuditKind; refs: AuditRefs; at: number }[] }
    : { at: number },
) => Promise<unknown>;

export interface AuditLog extends AuditRecorder {
  /** Writes what waits, when the vault is open (resolves either way). */
  flush(): Promise<void>;
  /** Events waiting for the vault (tests, status). */
  pending(): number;
  /** Before the database closes: the waiting events and the lock go in, and the head is signed. */
  closing(sink: AuditSink, lockRecorded: { kind: AuditKind; refs: AuditRefs }): Promise<void>;
}

/** Events kept while locked; beyond, the oldest go (a locked vault cannot take them anyway). */
const MAX_PENDING = 10_000;
const MAX_PER_APPEND = 10_000;
/** How long events gather before one append (short: a lock writes what waits anyway). */
const FLUSH_DELAY_MS = 20;

export function createAuditLog(options: { sink: AuditSink; now?: () => number }): AuditLog {
  const now = options.now ?? Date.now;
  let queue: { kind: AuditKind; refs: AuditRefs; at: number }[] = [];
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();

  const write = async (sink: AuditSink) => {
    while (queue.length) {
      const events = queue.slice(0, MAX_PER_APPEND);
      try {
        await sink('audit.append', { events });
      } catch (e) {
        // Locked or closing: they wait for the next session. Anything else (a refused event)
        // must not block the rest: only a lock keeps them.
        if (e instanceof CoreError && (e.code === ErrorCode.VaultLocked || e.code === ErrorCode.VaultAbsent))
          return;
        if (!(e instanceof CoreError)) return;
      }
      queue = queue.slice(events.length);
    }
  };
  const flush = () => {
    writing = writing.then(() => write(options.sink));
    return writing;
  };

  return {
    record(kind, refs = {}) {
      queue.push({ kind, refs: sanitizeRefs(refs), at: now() });
      if (queue.length > MAX_PENDING) queue = queue.slice(queue.length - MAX_PENDING);
      if (scheduled) return;
      scheduled = true;
      // Coalesced: one append per FLUSH_DELAY_MS at most, however many events arrive.
      setTimeout(() => {
        scheduled = false;
        void flush();
      }, FLUSH_DELAY_MS).unref();
    },
    flush,
    pending: () => queue.length,
    async closing(sink, lock) {
      queue.push({ ...lock, at: now() });
      writing = writing.then(async () => {
        await write(sink);
        await sink('audit.checkpoint', { at: now() }).catch(() => undefined);
      });
      await writing;
    },
  };
}
