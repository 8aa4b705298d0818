import { z } from 'zod';
import type { SyncStoreContext } from './store-context';

/**
 * One sync operation of the vault worker: its input schema (the worker validates every
 * request against it before anything runs), its output schema (the caller's side validates
 * every answer) and its handler, in one place. Each part of the store exports its operations
 * as a table of these; sync-worker-ops.ts joins the tables, and the vault worker spreads the
 * result into its protocol. Secrets never cross this boundary: the handlers answer with
 * public keys, signatures, ciphertext and the metadata the UI shows.
 */
export interface SyncWorkerOp<I extends z.ZodType, O extends z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly handler: (ctx: SyncStoreContext, input: z.output<I>) => z.output<O> | Promise<z.output<O>>;
}

/** Declares an operation (the identity function, for type inference). */
export function syncOp<I extends z.ZodType, O extends z.ZodType>(op: SyncWorkerOp<I, O>): SyncWorkerOp<I, O> {
  return op;
}

// Field schemas several operations share.

export { Bytes, Hex, NoInput } from '../../../../shared/contract/field-schemas';
/** A vault record id (a message's, a document's, an outbox row's). */
export { RecordId as Id } from '../../../../shared/contract/vault-calls';
/** Milliseconds since the epoch (or a count of them). */
export const Ms = z.number().int().nonnegative();
/** A piece of a stored envelope or download (reads are bounded: 4 MiB). */
export const ReadLength = z
  .number()
  .int()
  .min(1)
  .max(4 * 1024 * 1024);
