import { z } from 'zod';
import {
  AUDIT_BATCH_ENTRIES,
  AUDIT_BATCH_MAX_BYTES,
  AUDIT_CHECKPOINT_EVERY,
  AUDIT_GENESIS,
  auditCheckpointMessage,
  auditEntryInput,
  AuditKindSchema,
  AuditRefs,
  type AuditBatch,
  type AuditKind,
} from '../../../../shared/audit';
import { canonicalJson } from '../../../../shared/encoding';
import { deviceKeys, forgetKeys, identityRow, type IdentityRow } from './device-identity';
import { toBase64, u8, type SyncStoreContext } from './store-context';
import { Bytes, Ms, syncOp } from './worker-op';

/**
 * The audit log's chain in the vault (docs/protocols/audit-log-v1.md): each event is a row
 * whose hash commits to the row before it, and the device key signs the head (a checkpoint)
 * every AUDIT_CHECKPOINT_EVERY events and at every lock. Rows hold ids and kinds only; the
 * refs schema refuses free text. Batches for HQ are sealed here (libsodium sealed box to the
 * HQ audit key from IT's signed policy), so the core's thread only moves ciphertext.
 */

export interface AuditEvent {
  readonly kind: AuditKind;
  readonly refs: AuditRefs;
  readonly at: number;
}

interface Head {
  count: number;
  hash: Uint8Array;
}

function head(ctx: SyncStoreContext): Head {
  const row = ctx.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: Buffer } | undefined;
  return row ? { count: row.seq, hash: u8(row.hash) } : { count: 0, hash: AUDIT_GENESIS };
}

/**
 * Appends events in order (the caller's transaction, if any, is the one they commit in) and
 * signs a checkpoint each time AUDIT_CHECKPOINT_EVERY events passed since the last one, so
 * no more than that many entries are ever without a signature after an append returns.
 */
export function appendAuditEvents(ctx: SyncStoreContext, events: readonly AuditEvent[]): Head {
  const insert = ctx.db.prepare(
    'INSERT INTO audit_log (seq, at, kind, refs, prev, hash) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const run = ctx.db.transaction(() => {
    const identity = identityRow(ctx);
    let signed = identity ? lastSigned(ctx, identity.device_id) : 0;
    let h = head(ctx);
    for (const e of events) {
      const seq = h.count + 1;
      const hash = ctx.sodium.crypto_generichash(
        32,
        auditEntryInput(h.hash, seq, e.at, e.kind, e.refs),
        null,
      );
      insert.run(seq, e.at, e.kind, canonicalJson(e.refs), h.hash, hash);
      h = { count: seq, hash };
      if (identity && seq - signed >= AUDIT_CHECKPOINT_EVERY) {
        sign(ctx, identity, h, e.at);
        signed = seq;
      }
    }
    return h;
  });
  return run();
}

function lastSigned(ctx: SyncStoreContext, deviceId: string): number {
  return (
    (ctx.db.prepare('SELECT max(count) FROM audit_checkpoints WHERE device_id = ?').pluck().get(deviceId) as
      number | null) ?? 0
  );
}

function sign(ctx: SyncStoreContext, identity: IdentityRow, h: Head, at: number): void {
  const keys = deviceKeys(identity);
  try {
    const message = auditCheckpointMessage(identity.device_id, h.count, h.hash, at);
    const signature = ctx.sodium.crypto_sign_detached(message, keys.signSecretKey);
    ctx.db
      .prepare('INSERT INTO audit_checkpoints (device_id, count, head, at, signature) VALUES (?, ?, ?, ?, ?)')
      .run(identity.device_id, h.count, h.hash, at, signature);
  } finally {
    forgetKeys(ctx, keys);
  }
}

/**
 * Signs the head (at a lock) when the log moved since the last checkpoint. Before enrolment
 * there is no device key: the first checkpoint after enrolment covers everything before it.
 */
function checkpointNow(ctx: SyncStoreContext, at: number): number | null {
  const identity = identityRow(ctx);
  const h = head(ctx);
  if (!identity || h.count === 0 || h.count <= lastSigned(ctx, identity.device_id)) return null;
  sign(ctx, identity, h, at);
  return h.count;
}

interface LogRow {
  seq: number;
  at: number;
  kind: string;
  refs: string;
  prev: Buffer;
  hash: Buffer;
}

const hex = (b: Buffer) => b.toString('hex');

/** The next batch for HQ (entries and checkpoints not yet uploaded), or null when none. */
function nextBatch(
  ctx: SyncStoreContext,
): { batch: AuditBatch; through: number; checkpointsThrough: number } | null {
  const identity = identityRow(ctx);
  if (!identity) return null;
  const mark = ctx.db
    .prepare('SELECT entries_through, checkpoints_through FROM audit_upload WHERE id = 1')
    .get() as {
    entries_through: number;
    checkpoints_through: number;
  };
  const rows = ctx.db
    .prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(mark.entries_through, AUDIT_BATCH_ENTRIES) as LogRow[];
  const cps = ctx.db
    .prepare(
      'SELECT rowid, count, head, at, signature FROM audit_checkpoints WHERE rowid > ? AND device_id = ? ORDER BY rowid LIMIT ?',
    )
    .all(mark.checkpoints_through, identity.device_id, AUDIT_BATCH_ENTRIES) as {
    rowid: number;
    count: number;
    head: Buffer;
    at: number;
    signature: Buffer;
  }[];
  if (!rows.length && !cps.length) return null;
  const batch: AuditBatch = {
    v: 1,
    deviceId: identity.device_id,
    entries: rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      kind: AuditKindSchema.parse(r.kind),
      refs: AuditRefs.parse(JSON.parse(r.refs)),
      prev: hex(r.prev),
      hash: hex(r.hash),
    })),
    checkpoints: cps.map((c) => ({
      count: c.count,
      head: hex(c.head),
      at: c.at,
      sig: toBase64(c.signature),
    })),
  };
  // Within the size bound whatever the entries hold: checkpoints first (they vouch for what
  // went before), then as many entries as fit; the rest go in the next batch.
  const size = () => Buffer.byteLength(JSON.stringify(batch));
  while (size() > AUDIT_BATCH_MAX_BYTES && batch.entries.length > 0) {
    batch.entries.splice(Math.max(0, Math.floor(batch.entries.length * 0.75)));
  }
  while (size() > AUDIT_BATCH_MAX_BYTES && batch.checkpoints.length > 1) {
    batch.checkpoints.splice(Math.floor(batch.checkpoints.length / 2));
  }
  const lastCp = batch.checkpoints.length ? cps[batch.checkpoints.length - 1] : undefined;
  return {
    batch,
    through: batch.entries.at(-1)?.seq ?? mark.entries_through,
    checkpointsThrough: lastCp?.rowid ?? mark.checkpoints_through,
  };
}

const AuditEventInput = z.object({ kind: AuditKindSchema, refs: AuditRefs, at: Ms }).strict();
const AuditListRow = z
  .object({ seq: z.number().int(), at: Ms, kind: AuditKindSchema, refs: AuditRefs })
  .strict();

export const AUDIT_CHAIN_OPS = {
  /** Appends events in one transaction; answers the new count. */
  'audit.append': syncOp({
    input: z.object({ events: z.array(AuditEventInput).min(1).max(10_000) }).strict(),
    output: z.object({ count: z.number().int() }).strict(),
    handler: (ctx, { events }) => ({ count: appendAuditEvents(ctx, events).count }),
  }),
  /** Signs the head now if it moved since the last checkpoint (at lock). */
  'audit.checkpoint': syncOp({
    input: z.object({ at: Ms }).strict(),
    output: z.object({ signed: z.number().int().nullable() }).strict(),
    handler: (ctx, { at }) => ({ signed: ctx.db.transaction(() => checkpointNow(ctx, at))() }),
  }),
  /** The officer's own log, newest first, `before` a sequence number when paging. */
  'audit.list': syncOp({
    input: z
      .object({ limit: z.number().int().min(1).max(500), before: z.number().int().min(1).optional() })
      .strict(),
    output: z.object({ entries: z.array(AuditListRow), total: z.number().int() }).strict(),
    handler: (ctx, { limit, before }) => ({
      entries: (
        ctx.db
          .prepare('SELECT seq, at, kind, refs FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?')
          .all(before ?? Number.MAX_SAFE_INTEGER, limit) as Omit<LogRow, 'prev' | 'hash'>[]
      ).map((r) => ({
        seq: r.seq,
        at: r.at,
        kind: AuditKindSchema.parse(r.kind),
        refs: AuditRefs.parse(JSON.parse(r.refs)),
      })),
      total: head(ctx).count,
    }),
  }),
  /**
   * The next batch sealed to HQ's audit key (from IT's signed policy, passed by the caller),
   * or null when everything went. Marked uploaded only by `audit.uploaded`, after the relay
   * stored it: a cut upload is sent again (HQ deduplicates by sequence number).
   */
  'audit.batch': syncOp({
    input: z.object({ auditKey: Bytes }).strict(),
    output: z
      .object({
        sealed: Bytes,
        first: z.number().int(),
        count: z.number().int(),
        through: z.number().int(),
        checkpointsThrough: z.number().int(),
      })
      .strict()
      .nullable(),
    handler: (ctx, { auditKey }) => {
      if (auditKey.length !== 32) throw new RangeError('the HQ audit key is 32 bytes');
      const next = nextBatch(ctx);
      if (!next) return null;
      const plain = new TextEncoder().encode(JSON.stringify(next.batch));
      return {
        sealed: ctx.sodium.crypto_box_seal(plain, auditKey),
        first: next.batch.entries[0]?.seq ?? next.through + 1,
        count: next.batch.entries.length,
        through: next.through,
        checkpointsThrough: next.checkpointsThrough,
      };
    },
  }),
  /** The relay stored a batch: the next one starts after it. */
  'audit.uploaded': syncOp({
    input: z
      .object({ through: z.number().int().nonnegative(), checkpointsThrough: z.number().int().nonnegative() })
      .strict(),
    output: z.object({}).strict(),
    handler: (ctx, { through, checkpointsThrough }) => {
      ctx.db
        .prepare(
          'UPDATE audit_upload SET entries_through = max(entries_through, ?), checkpoints_through = max(checkpoints_through, ?) WHERE id = 1',
        )
        .run(through, checkpointsThrough);
      return {};
    },
  }),
} as const;
