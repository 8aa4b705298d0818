import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Classification } from '../../../../shared/domain/classification';
import { CoreError } from '../../../../shared/contract/errors';
import { OutboxItem, SyncSendInput } from '../../../../shared/contract/sync-calls';
import type { Directory } from '../../../../shared/sync/relay-protocol';
import { logEvent } from './refusal-log';
import { send, type SendInput } from './outbox-send';
import type { SyncStoreContext } from './store-context';
import { Id, Ms, syncOp } from './worker-op';

/**
 * Sends waiting for the recipient's keys: an officer HQ approved (listed, certified, not
 * revoked) who has not published a current prekey yet. The send (what the officer asked, not
 * its plaintext sealed) is kept in the encrypted vault (`sync_waiting`), one row per recipient,
 * and each round, after the directory is fresh, tries to seal it: once the recipient's keys are
 * there it becomes an ordinary outbox entry. A restart loses nothing: the row is the state.
 */

interface WaitingRow {
  id: string;
  kind: 'message' | 'document';
  title: string;
  classification: Classification;
  recipient_address: string;
  send: Buffer;
  created_at: number;
}

/** Whether `address` is an officer of the certified directory with an approved device other than mine. */
export function awaitsKeys(dir: Directory, address: string, me: string): boolean {
  const officer = dir.officers.find((o) => o.address.toLowerCase() === address);
  return !!officer?.devices.some((d) => d.status === 'approved' && d.deviceId !== me);
}

function toItem(r: WaitingRow): OutboxItem {
  return {
    id: r.id,
    envelopeId: '',
    kind: r.kind,
    title: r.title.slice(0, 512),
    classification: r.classification,
    recipientAddress: r.recipient_address,
    state: 'waiting',
    bytes: 0,
    sentBytes: 0,
    attempts: 0,
    createdAt: r.created_at,
  };
}

/** Keeps `input` for each of `addresses` until they have keys; in the caller's transaction. */
export function holdForKeys(
  ctx: SyncStoreContext,
  input: SendInput,
  addresses: readonly string[],
  now: number,
): OutboxItem[] {
  if (addresses.length === 0) return [];
  const doc = input.kind === 'document' ? ctx.repo.getDocument(input.documentId).document : null;
  const title = input.kind === 'message' ? input.title || input.text.slice(0, 80) : (doc?.subject ?? '');
  const classification =
    doc?.classification ?? (input.kind === 'message' ? input.classification : 'unclassified');
  const insert = ctx.db.prepare(
    `INSERT INTO sync_waiting (id, kind, title, classification, recipient_address, send, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  return addresses.map((address) => {
    const id = randomUUID();
    const one: SendInput = { ...input, to: [address] };
    insert.run(id, input.kind, title, classification, address, Buffer.from(JSON.stringify(one), 'utf8'), now);
    logEvent(ctx, { at: now, event: 'waiting' });
    return toItem(ctx.db.prepare('SELECT * FROM sync_waiting WHERE id = ?').get(id) as WaitingRow);
  });
}

export const WAITING_OPS = {
  /** Sends waiting for keys, newest first. */
  'sync.waiting.list': syncOp({
    input: z.object({ limit: z.number().int().min(1).max(1000) }).strict(),
    output: z.object({ items: z.array(OutboxItem) }).strict(),
    handler: (ctx, { limit }) => ({
      items: (
        ctx.db.prepare('SELECT * FROM sync_waiting ORDER BY rowid DESC LIMIT ?').all(limit) as WaitingRow[]
      ).map(toItem),
    }),
  }),

  /**
   * Seals every waiting send whose recipient now has keys (oldest first), each in one
   * transaction with the removal of its row; the others keep waiting.
   */
  'sync.waiting.seal': syncOp({
    input: z.object({ now: Ms }).strict(),
    output: z.object({ sealed: z.number().int(), waiting: z.number().int() }).strict(),
    handler: (ctx, { now }) => {
      const rows = ctx.db.prepare('SELECT * FROM sync_waiting ORDER BY rowid').all() as WaitingRow[];
      let sealed = 0;
      for (const row of rows) {
        const input = SyncSendInput.parse(JSON.parse(row.send.toString('utf8')));
        try {
          ctx.db.transaction(() => {
            send(ctx, input, now, false);
            ctx.db.prepare('DELETE FROM sync_waiting WHERE id = ?').run(row.id);
          })();
          sealed++;
        } catch (e) {
          // Still no keys (or not approved yet): it waits for the next round.
          if (!(e instanceof CoreError)) throw e;
        }
      }
      return { sealed, waiting: rows.length - sealed };
    },
  }),

  /** A waiting send the officer gives up: its row goes. */
  'sync.waiting.cancel': syncOp({
    input: z.object({ id: Id, now: Ms }).strict(),
    output: z.object({ cancelled: z.boolean() }).strict(),
    handler: (ctx, { id, now }) => {
      const n = ctx.db.prepare('DELETE FROM sync_waiting WHERE id = ?').run(id).changes;
      if (n > 0) logEvent(ctx, { at: now, event: 'cancelled' });
      return { cancelled: n > 0 };
    },
  }),
} as const;
