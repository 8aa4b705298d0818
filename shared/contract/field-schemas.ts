import { z } from 'zod';
import { DRIVER_ID_PATTERN, isLocalAbsolutePath } from './module-path';

/**
 * Field schemas several call tables share (sync's, signing's, the app's), and with them the
 * vault worker's protocol and the sync store's operations: each defined here once.
 */

/** The input of a call that takes none. */
export const NoInput = z.object({}).strict();

/** Lowercase hex of exactly `bytes` bytes. */
export const Hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`));

/** An error as a result or an item carries it: a code and a message, both bounded. */
export const ErrorShape = z.object({ code: z.string().max(64), message: z.string().max(512) }).strict();

/**
 * Any Uint8Array (z.instanceof would narrow the type to an ArrayBuffer-backed one). Only for
 * messages inside one process tree (structured clone, as the vault worker's); JSON carries base64.
 */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes');

/** A token driver by its id in `resources/pkcs11-modules.json`: what the renderer may name. */
export const DriverId = z.string().regex(DRIVER_ID_PATTERN);

/**
 * A token driver's library file: absolute and local, never relative or UNC
 * (`module-path.ts`). Only the command line may send one (`call-access.ts`).
 */
export const ModulePath = z
  .string()
  .min(1)
  .max(1024)
  .refine(isLocalAbsolutePath, 'absolute local path required');
