import { fromBase64, fromHex, toHex } from '../encoding';
import {
  AUDIT_GENESIS,
  auditCheckpointMessage,
  auditEntryInput,
  type AuditBatch,
  type AuditCheckpointWire,
  type AuditEntryWire,
  type Blake2b256,
} from './audit-format';

/**
 * HQ's check of one device's log, from the batches it received (Crosby–Wallach style: a hash
 * chain whose heads the device signs). Each problem names where it is, so an investigator
 * sees what was removed, altered or rewritten, not only that something was:
 * - `unreadable`: a batch that does not open, parse, or names another device;
 * - `edited`: an entry whose hash is not the hash of its own fields;
 * - `gap`: sequence numbers missing between two held entries (deleted entries);
 * - `chain-break`: an entry whose `prev` is not its predecessor's hash (reordered, or
 *   replaced together with its hash);
 * - `fork`: two different entries with one number, or a checkpoint whose head is not the
 *   chain's hash at its count (the log was rewritten after it was signed);
 * - `bad-signature`: a checkpoint the device key did not sign;
 * - `truncated`: a signed checkpoint counts entries HQ does not hold (the tail was cut).
 * Entries after the last valid checkpoint are held but not yet vouched for (`uncheckpointed`).
 */

export type AuditProblemKind =
  'unreadable' | 'edited' | 'gap' | 'chain-break' | 'fork' | 'bad-signature' | 'truncated';

export interface AuditProblem {
  readonly kind: AuditProblemKind;
  /** The entry (or the first of a range) concerned, when there is one. */
  readonly seq?: number;
  /** The last entry of a range (gaps, truncation). */
  readonly to?: number;
}

export interface AuditDeviceReport {
  readonly deviceId: string;
  readonly ok: boolean;
  readonly batches: number;
  readonly entries: number;
  readonly checkpoints: number;
  /** The highest count a valid signature vouches for, and when it was signed. */
  readonly lastCheckpoint: { readonly count: number; readonly at: number } | null;
  readonly uncheckpointed: number;
  readonly problems: readonly AuditProblem[];
}

export interface AuditVerifyCrypto {
  readonly hash: Blake2b256;
  /** Ed25519 verification (libsodium `crypto_sign_verify_detached`). */
  readonly verify: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
}

/** A batch as HQ holds it: opened (or not: `null`). */
export type OpenedBatch = AuditBatch | null;

const MAX_PROBLEMS = 1000;

export function verifyDeviceLog(
  deviceId: string,
  signPublicKey: Uint8Array,
  batches: readonly OpenedBatch[],
  crypto: AuditVerifyCrypto,
): AuditDeviceReport {
  const problems: AuditProblem[] = [];
  const report = (p: AuditProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const bySeq = new Map<number, AuditEntryWire>();
  const checkpoints: AuditCheckpointWire[] = [];
  const forks = new Set<number>();
  for (const b of batches) {
    if (!b || b.deviceId !== deviceId) {
      report({ kind: 'unreadable' });
      continue;
    }
    for (const e of b.entries) {
      const held = bySeq.get(e.seq);
      if (!held) bySeq.set(e.seq, e);
      else if (held.hash !== e.hash || held.prev !== e.prev || !sameContent(held, e)) forks.add(e.seq);
    }
    checkpoints.push(...b.checkpoints);
  }
  for (const seq of [...forks].sort((a, b) => a - b)) report({ kind: 'fork', seq });

  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  let expected = 1;
  let prevHash = toHex(AUDIT_GENESIS);
  for (const seq of seqs) {
    const e = bySeq.get(seq) as AuditEntryWire;
    if (seq > expected) report({ kind: 'gap', seq: expected, to: seq - 1 });
    const own = toHex(crypto.hash(auditEntryInput(fromHex(e.prev), e.seq, e.at, e.kind, e.refs)));
    if (own !== e.hash) report({ kind: 'edited', seq });
    // Only a direct predecessor can be checked; after a gap the link is unknown, not broken.
    else if (seq === expected && e.prev !== prevHash) report({ kind: 'chain-break', seq });
    prevHash = e.hash;
    expected = seq + 1;
  }
  const maxSeq = seqs.at(-1) ?? 0;

  let last: { count: number; at: number } | null = null;
  let cutFrom = Infinity;
  const signedHeads = new Map<number, string>();
  for (const c of checkpoints) {
    const message = auditCheckpointMessage(deviceId, c.count, fromHex(c.head), c.at);
    if (!crypto.verify(fromBase64(c.sig), message, signPublicKey)) {
      report({ kind: 'bad-signature', seq: c.count });
      continue;
    }
    const signed = signedHeads.get(c.count);
    if (signed !== undefined && signed !== c.head) report({ kind: 'fork', seq: c.count });
    signedHeads.set(c.count, c.head);
    if (!last || c.count > last.count || (c.count === last.count && c.at > last.at))
      last = { count: c.count, at: c.at };
    const at = bySeq.get(c.count);
    if (c.count > maxSeq) cutFrom = Math.min(cutFrom, maxSeq + 1);
    else if (at && at.hash !== c.head) report({ kind: 'fork', seq: c.count });
  }
  if (last && cutFrom <= last.count) report({ kind: 'truncated', seq: cutFrom, to: last.count });

  return {
    deviceId,
    ok: problems.length === 0,
    batches: batches.length,
    entries: bySeq.size,
    checkpoints: checkpoints.length,
    lastCheckpoint: last,
    uncheckpointed: Math.max(0, maxSeq - (last?.count ?? 0)),
    problems,
  };
}

function sameContent(a: AuditEntryWire, b: AuditEntryWire): boolean {
  return a.at === b.at && a.kind === b.kind && JSON.stringify(a.refs) === JSON.stringify(b.refs);
}
