import { z } from 'zod';
import { hasControl, isWellFormed } from '../../encoding/text';
import { ID_HEX } from '../device-id';

/**
 * The field types every relay body is made of. Encodings: keys, nonces and signatures are
 * standard base64 (RFC 4648 §4, padded); digests and ids are lowercase hex.
 */

/** Standard padded base64 of exactly `bytes` bytes. */
function base64OfLength(bytes: number) {
  const chars = Math.ceil(bytes / 3) * 4;
  const pad = (3 - (bytes % 3)) % 3;
  const body = chars - pad;
  return z
    .string()
    .length(chars)
    .regex(new RegExp(`^[A-Za-z0-9+/]{${body}}${'='.repeat(pad)}$`), `base64 of ${bytes} bytes`);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/** Standard padded base64 of 1..`maxBytes` bytes. */
export function base64UpTo(maxBytes: number) {
  return z
    .string()
    .min(4)
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(BASE64, 'base64');
}

/** A device id: lowercase hex of the first 16 bytes of SHA-256 over its Ed25519 public key (device-id.ts). */
export const DeviceId = z.string().regex(ID_HEX, 'a device id (32 lowercase hex characters)');
/** A mailbox item id, chosen by the relay. */
export const ItemId = z.string().regex(/^[0-9a-f]{32}$/, 'an item id (32 lowercase hex characters)');
/** An envelope id, chosen by the sender; unique per sender, which makes uploads idempotent. */
export const EnvelopeId = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'an envelope id ([A-Za-z0-9_-]{8,128})');
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest (64 lowercase hex characters)');
export const Ed25519PublicKey = base64OfLength(32);
export const X25519PublicKey = base64OfLength(32);
export const Ed25519Signature = base64OfLength(64);
export const Nonce = base64OfLength(32);
/** A prekey id, chosen by the device: 32 lowercase hex characters. */
export const PrekeyId = z.string().regex(ID_HEX, 'a prekey id (32 lowercase hex characters)');
/** Milliseconds since the epoch, as an exact integer. */
export const EpochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Display text: well-formed Unicode without control characters (it is shown and printed). */
function displayText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((t) => !hasControl(t), 'no control characters')
    .refine(isWellFormed, 'well-formed Unicode');
}

export const OfficerName = displayText(1, 128);
export const OfficerDepartment = displayText(0, 128);

/**
 * An officer's address in the directory: the token certificate's first rfc822Name (e-mail)
 * subject alternative name, lowercased; without one, the subject CN lowercased with each run
 * of white space turned into one '.'. Never empty, no white space or control characters.
 */
export const OfficerAddress = z
  .string()
  .min(1)
  .max(320)
  .regex(/^\S+$/, 'an officer address (no white space)')
  .refine((t) => !hasControl(t), 'no control characters')
  .refine(isWellFormed, 'well-formed Unicode');
