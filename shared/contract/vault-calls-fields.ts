import { z } from 'zod';

/** The field schemas every vault call shares: ids, timestamps, parties, secrets. */

/** The input of a call that takes none (one definition, with the other shared field schemas). */
export { NoInput } from './field-schemas';
/** Opaque record id (a UUID today). */
export const RecordId = z.string().min(1).max(64);
/** An ISO 8601 UTC timestamp (or date). */
export const IsoDateTime = z.string().max(40);
/** A sender or recipient as written. */
export const Party = z.string().trim().min(1).max(300);
/** A PIN or passphrase: never logged, never echoed in errors. */
export const Secret = z.string().min(1).max(1024);
/** A PKCS#11 CKA_ID in hex. */
export const HexKeyId = z
  .string()
  .regex(/^[0-9a-fA-F]{2,128}$/)
  .refine((s) => s.length % 2 === 0, 'even number of hex digits');
