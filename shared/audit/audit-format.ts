import { z } from 'zod';
import { ascii, canonicalJson, concat, u64be, utf8Encode } from '../encoding';
import { AuditKindSchema, AuditRefs, type AuditKind } from './audit-kinds';

/**
 * The audit log's bytes (docs/protocols/audit-log-v1.md): the hash chain over entries, the
 * device's checkpoint signature, and the batch that travels sealed to HQ. Pure: the caller
 * brings libsodium's BLAKE2b and Ed25519, so the device (vault worker) and HQ (the relay's
 * admin tool) compute the same bytes from one definition.
 */

/** Label of an entry's hash input. */
export const AUDIT_ENTRY_CONTEXT = 'embassy/v1/audit-entry';
/** Label of a checkpoint's signed message. */
export const AUDIT_CHECKPOINT_CONTEXT = 'embassy/v1/audit-checkpoint';
/** The `prev` of the first entry. */
export const AUDIT_GENESIS = new Uint8Array(32);
/** The device signs a checkpoint at least every this many entries (and at every lock). */
export const AUDIT_CHECKPOINT_EVERY = 256;
/** Entries per sealed batch, at most. */
export const AUDIT_BATCH_ENTRIES = 128;
/**
 * A batch's plaintext JSON, at most: sealed (+48 bytes) and in base64 (×4/3) it stays under the
 * relay's 80 KiB JSON body whatever the entries hold.
 */
export const AUDIT_BATCH_MAX_BYTES = 48 * 1024;

/** BLAKE2b-256 (libsodium `crypto_generichash`, 32 bytes, no key). */
export type Blake2b256 = (input: Uint8Array) => Uint8Array;

/** The bytes an entry's hash is taken over; `prev` is the previous entry's hash. */
export function auditEntryInput(
  prev: Uint8Array,
  seq: number,
  at: number,
  kind: AuditKind,
  refs: AuditRefs,
): Uint8Array {
  if (prev.length !== 32) throw new RangeError('prev must be 32 bytes');
  return concat([
    ascii(AUDIT_ENTRY_CONTEXT),
    new Uint8Array([0]),
    prev,
    u64be(seq),
    u64be(at),
    utf8Encode(canonicalJson({ kind, refs })),
  ]);
}

/** The bytes the device key signs for a checkpoint: its count, head and time, under its id. */
export function auditCheckpointMessage(deviceId: string, count: number, head: Uint8Array, at: number) {
  if (head.length !== 32) throw new RangeError('head must be 32 bytes');
  return concat([
    ascii(AUDIT_CHECKPOINT_CONTEXT),
    new Uint8Array([0]),
    ascii(deviceId),
    new Uint8Array([0]),
    u64be(count),
    head,
    u64be(at),
  ]);
}

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Ms = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** One entry as it travels (and as HQ checks it: `hash` must be the hash of the rest). */
export const AuditEntryWire = z
  .object({
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    at: Ms,
    kind: AuditKindSchema,
    refs: AuditRefs,
    prev: Hex64,
    hash: Hex64,
  })
  .strict();
export type AuditEntryWire = z.output<typeof AuditEntryWire>;

/** A checkpoint: the device key's signature over (count, head, at). */
export const AuditCheckpointWire = z
  .object({
    count: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    head: Hex64,
    at: Ms,
    sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
  })
  .strict();
export type AuditCheckpointWire = z.output<typeof AuditCheckpointWire>;

/** The plaintext of one sealed batch. */
export const AuditBatch = z
  .object({
    v: z.literal(1),
    deviceId: z.string().regex(/^[0-9a-f]{32}$/),
    entries: z.array(AuditEntryWire).max(AUDIT_BATCH_ENTRIES),
    checkpoints: z.array(AuditCheckpointWire).max(AUDIT_BATCH_ENTRIES),
  })
  .strict();
export type AuditBatch = z.output<typeof AuditBatch>;
