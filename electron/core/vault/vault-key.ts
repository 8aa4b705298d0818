import type { Sodium } from './sodium';

/**
 * Key material of the vault, branded so the compiler keeps the kinds apart: a wrapped key can
 * never be passed where a raw key is wanted, nor a wrapping key where the vault key is. The
 * brands exist only in types; at run time these are plain Uint8Arrays and records.
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** The raw 256-bit key of the SQLCipher database. Never on disk unwrapped. */
export type VaultKey = Brand<Uint8Array, 'VaultKey'>;
/** A key that only encrypts the vault key (from Argon2id or a token operation). */
export type WrappingKey = Brand<Uint8Array, 'WrappingKey'>;

export const VAULT_KEY_BYTES = 32;
/** Key-check value length: enough to tell a right key from a wrong one, useless for guessing. */
export const KCV_BYTES = 16;
const KCV_DOMAIN = 'embassy-vault kcv v1|';

/** A fresh random vault key in its own ArrayBuffer (so it can be transferred, then is gone here). */
export function generateVaultKey(sodium: Sodium): VaultKey {
  const key = new Uint8Array(new ArrayBuffer(VAULT_KEY_BYTES));
  key.set(sodium.randombytes_buf(VAULT_KEY_BYTES));
  return key as VaultKey;
}

/** Treats bytes that came out of an unwrap (and were length-checked) as the vault key. */
export function asVaultKey(bytes: Uint8Array): VaultKey {
  if (bytes.length !== VAULT_KEY_BYTES) throw new Error('a vault key is 32 bytes');
  const key = new Uint8Array(new ArrayBuffer(VAULT_KEY_BYTES));
  key.set(bytes);
  bytes.fill(0);
  return key as VaultKey;
}

export function asWrappingKey(bytes: Uint8Array): WrappingKey {
  if (bytes.length !== 32) throw new Error('a wrapping key is 32 bytes');
  return bytes as WrappingKey;
}

/**
 * Key-check value: keyed BLAKE2b of a domain string and the vault id. Recorded in the key file
 * so that, after an unwrap, a right key is told from a corrupt database (both make SQLCipher
 * say "not a database"); it reveals nothing about the key.
 */
export function keyCheckValue(sodium: Sodium, key: VaultKey, vaultId: string): Uint8Array {
  return sodium.crypto_generichash(KCV_BYTES, `${KCV_DOMAIN}${vaultId}`, key);
}

export function keyMatches(sodium: Sodium, key: VaultKey, vaultId: string, kcv: Uint8Array): boolean {
  const mine = keyCheckValue(sodium, key, vaultId);
  return mine.length === kcv.length && sodium.memcmp(mine, kcv);
}

/** Overwrites key material. Every holder of a key calls this on lock, error or hand-off. */
export function zeroKey(key: Uint8Array | null | undefined): void {
  if (key && key.byteLength > 0) key.fill(0);
}

/**
 * The SQLCipher raw-key form `x'<64 hex>'` as bytes (not a string: strings cannot be zeroed),
 * for `Database.key()`. The caller zeroes it right after use.
 */
export function sqlcipherRawKey(key: VaultKey): Buffer {
  const hexDigits = '0123456789abcdef';
  const out = Buffer.alloc(3 + key.length * 2);
  out[0] = 0x78; // x
  out[1] = 0x27; // '
  for (let i = 0; i < key.length; i++) {
    const b = key[i] as number;
    out[2 + i * 2] = hexDigits.charCodeAt(b >> 4);
    out[3 + i * 2] = hexDigits.charCodeAt(b & 15);
  }
  out[out.length - 1] = 0x27;
  return out;
}
