import { createHash } from 'node:crypto';
import { CoreError, ErrorCode } from '../../../../shared/contract/errors';
import {
  directoryChainMessage,
  type Directory,
  type DirectoryChainStep,
  type DirectoryHead,
} from '../../../../shared/sync/relay-protocol';
import type { SyncErrorCode } from '../../../../shared/sync/sync-error-codes';
import { identityRow } from './device-identity';
import { logEvent, warn, type AuditEvent, type WarningKind } from './refusal-log';
import type { SyncStoreContext } from './store-context';

/**
 * HQ's directory as a hash chain, the workstation's side (docs/protocols/directory-v2.md#the-chain).
 * A directory is accepted only if it extends the version held: the same version again, or a
 * later one whose chain, walked from the held link through the versions the relay lists as
 * published in between, reaches the version it names as previous. Every link on the held
 * chain is kept (`sync_directory_chain`), so a sender's head (carried in every envelope's
 * signed header) can be compared with the version this workstation holds for that serial:
 * a relay that shows two workstations two histories is caught by the first envelope between
 * them (`directory-split`). Refusals and alarms are notices (`sync_warnings`) and audit lines.
 */

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A version's chain link, from its bytes and the previous version it names. */
export function directoryLink(dir: Directory, bytes: Uint8Array): string {
  return sha256Hex(directoryChainMessage(dir.previous?.hash ?? null, dir.serial, sha256Hex(bytes)));
}

/** The head this workstation holds (the one its envelopes carry), null before a chained one. */
export function heldHead(ctx: SyncStoreContext): DirectoryHead | null {
  const row = ctx.db.prepare('SELECT serial, link FROM sync_directory WHERE id = 1').get() as
    { serial: number; link: string | null } | undefined;
  return row?.link ? { serial: row.serial, hash: row.link } : null;
}

/** The serial of the held directory, chained or not (the relay's `since`). */
export function heldSerial(ctx: SyncStoreContext): number | null {
  const serial = ctx.db.prepare('SELECT serial FROM sync_directory WHERE id = 1').pluck().get() as
    number | undefined;
  return serial ?? null;
}

/**
 * A notice and an audit line for a refused directory, once per served version (a relay that
 * keeps serving it does not flood the officer), in a transaction of its own: the refusal that
 * follows rolls nothing of it back.
 */
function noteRefusal(
  ctx: SyncStoreContext,
  kind: WarningKind & AuditEvent,
  code: SyncErrorCode,
  served: DirectoryHead,
  now: number,
): void {
  ctx.db.transaction(() => {
    const fresh = ctx.db
      .prepare('INSERT OR IGNORE INTO sync_directory_refusals (kind, serial, link) VALUES (?, ?, ?)')
      .run(kind, served.serial, served.hash);
    if (fresh.changes === 0) return;
    const me = identityRow(ctx);
    warn(ctx, kind, me?.address ?? 'hq', me?.device_id ?? '0'.repeat(32), now);
    logEvent(ctx, { at: now, event: kind, code });
  })();
}

/** The walk from `held` through `steps`: each step's head, or null when the steps go backwards. */
function walk(held: DirectoryHead, steps: readonly DirectoryChainStep[]): DirectoryHead[] | null {
  const heads: DirectoryHead[] = [];
  let at = held;
  for (const s of steps) {
    if (s.serial <= at.serial) return null;
    at = { serial: s.serial, hash: sha256Hex(directoryChainMessage(at.hash, s.serial, s.digest)) };
    heads.push(at);
  }
  return heads;
}

/** What {@link checkExtends} found: the served version's link and the links walked to it. */
export interface ChainExtension {
  head: DirectoryHead;
  walked: DirectoryHead[];
}

/**
 * Refuses a directory that does not extend the one held: an older serial
 * (`E_SYNC_DIRECTORY_ROLLBACK`), or the same serial with other bytes, or a chain that does not
 * pass through the held link (`E_SYNC_DIRECTORY_FORKED`). Each refusal is noted first. A vault
 * holding a directory from before the chain accepts the first chained one of its serial or later.
 */
export function checkExtends(
  ctx: SyncStoreContext,
  dir: Directory,
  bytes: Uint8Array,
  steps: readonly DirectoryChainStep[],
  now: number,
): ChainExtension {
  const served = { serial: dir.serial, hash: directoryLink(dir, bytes) };
  const row = ctx.db.prepare('SELECT serial, link FROM sync_directory WHERE id = 1').get() as
    { serial: number; link: string | null } | undefined;
  if (row && dir.serial < row.serial) {
    noteRefusal(ctx, 'directory-rollback', ErrorCode.SyncDirectoryRollback, served, now);
    throw new CoreError(ErrorCode.SyncDirectoryRollback, "HQ's directory is older than the one held");
  }
  if (!row?.link) return { head: served, walked: [] };
  const held = { serial: row.serial, hash: row.link };
  if (dir.serial === held.serial && served.hash === held.hash) return { head: served, walked: [] };
  const walked = dir.serial > held.serial ? walk(held, steps) : null;
  const last = walked?.at(-1) ?? held;
  const p = dir.previous;
  if (!walked || !p || p.serial !== last.serial || p.hash !== last.hash || dir.serial <= last.serial) {
    noteRefusal(ctx, 'directory-forked', ErrorCode.SyncDirectoryForked, served, now);
    throw new CoreError(
      ErrorCode.SyncDirectoryForked,
      "HQ's directory does not continue the one held: the relay shows another history",
    );
  }
  return { head: served, walked };
}

/** Where a sender's head stands against the held chain. */
type HeadVerdict = 'agrees' | 'disagrees' | 'ahead' | 'unknown';

function judgeHead(ctx: SyncStoreContext, claimed: DirectoryHead): HeadVerdict {
  const held = heldHead(ctx);
  if (!held) return 'unknown';
  if (claimed.serial > held.serial) return 'ahead';
  const first = ctx.db.prepare('SELECT min(serial) FROM sync_directory_chain').pluck().get() as number | null;
  if (first === null || claimed.serial < first) return 'unknown';
  const link = ctx.db
    .prepare('SELECT link FROM sync_directory_chain WHERE serial = ?')
    .pluck()
    .get(claimed.serial) as string | undefined;
  // A serial between two held versions that the held chain does not list was never published
  // in the history this workstation was shown.
  return link === claimed.hash ? 'agrees' : 'disagrees';
}

function alarm(ctx: SyncStoreContext, address: string, deviceId: string, now: number): void {
  warn(ctx, 'directory-split', address, deviceId, now);
  logEvent(ctx, {
    at: now,
    event: 'directory-split',
    code: ErrorCode.SyncDirectoryForked,
    senderDevice: deviceId,
  });
}

/**
 * Called for every envelope stored (inside its transaction): the sender's head against the
 * held chain. A disagreement is the `directory-split` alarm; a head beyond the held one is kept
 * and judged when the held chain reaches its serial ({@link recordChain}).
 */
export function noteSenderHead(
  ctx: SyncStoreContext,
  claimed: DirectoryHead | undefined,
  sender: { address: string; deviceId: string },
  now: number,
): void {
  if (!claimed) return;
  const verdict = judgeHead(ctx, claimed);
  if (verdict === 'disagrees') alarm(ctx, sender.address, sender.deviceId, now);
  if (verdict === 'ahead') {
    ctx.db
      .prepare(
        `INSERT OR IGNORE INTO sync_directory_claims (serial, link, address, device_id) VALUES (?, ?, ?, ?)`,
      )
      .run(claimed.serial, claimed.hash, sender.address, sender.deviceId);
  }
}

/**
 * Records an accepted directory's place in the chain (inside the store's transaction): the
 * links walked and its own, as the held head; then judges the heads senders named that the
 * chain now reaches. Answers how many alarms that raised.
 */
export function recordChain(ctx: SyncStoreContext, ext: ChainExtension, now: number): number {
  const { db } = ctx;
  const put = db.prepare('INSERT OR REPLACE INTO sync_directory_chain (serial, link) VALUES (?, ?)');
  for (const h of [...ext.walked, ext.head]) put.run(h.serial, h.hash);
  db.prepare('UPDATE sync_directory SET link = ? WHERE id = 1').run(ext.head.hash);
  const due = db
    .prepare('SELECT rowid, serial, link, address, device_id FROM sync_directory_claims WHERE serial <= ?')
    .all(ext.head.serial) as {
    rowid: number;
    serial: number;
    link: string;
    address: string;
    device_id: string;
  }[];
  let alarms = 0;
  for (const c of due) {
    if (judgeHead(ctx, { serial: c.serial, hash: c.link }) === 'disagrees') {
      alarm(ctx, c.address, c.device_id, now);
      alarms++;
    }
    db.prepare('DELETE FROM sync_directory_claims WHERE rowid = ?').run(c.rowid);
  }
  return alarms;
}
