import { toHex } from '../encoding/hex';

/**
 * The device-id rule, shared by the relay (which assigns ids at enrolment) and the devices
 * (which check every id they meet against the key it names): lowercase hex of the first 16
 * bytes of SHA-256 over the device's Ed25519 public key. shared/ has no hash, so the caller
 * passes SHA-256 (node:crypto in hq/, libsodium in the core); both are the same function.
 */

/** Bytes of a device id (and of a prekey id): 32 lowercase hex characters. */
export const DEVICE_ID_BYTES = 16;
/** A device id or a prekey id as text. */
export const ID_HEX = /^[0-9a-f]{32}$/;

export const ED25519_PUBLIC_KEY_BYTES = 32;

/** SHA-256 of `bytes` (32 bytes). */
export type Sha256 = (bytes: Uint8Array) => Uint8Array;

export function deviceIdOf(signPublicKey: Uint8Array, sha256: Sha256): string {
  if (signPublicKey.length !== ED25519_PUBLIC_KEY_BYTES) throw new Error('an Ed25519 public key is 32 bytes');
  return toHex(sha256(signPublicKey).subarray(0, DEVICE_ID_BYTES));
}
