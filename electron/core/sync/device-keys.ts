/**
 * The key material of the end-to-end layer, as the envelope and prekey code hold it, with the
 * secret keys branded as the vault's keys are (vault/vault-key.ts): a prekey secret can never
 * be passed where the device's signing key is wanted, nor bytes read from anywhere where a
 * secret of a known kind is. The brands exist only in types; at run time these are plain
 * Uint8Arrays. Every holder zeroes a secret when done (`sodium.memzero`).
 */
declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** The device's Ed25519 secret key (64 bytes): its identity; signs envelopes, prekeys, enrolment and sessions. */
export type DeviceSignSecretKey = Brand<Uint8Array, 'DeviceSignSecretKey'>;
/** The device's long-term X25519 secret key (32 bytes). Never used to open envelopes (see prekeys.ts). */
export type DeviceBoxSecretKey = Brand<Uint8Array, 'DeviceBoxSecretKey'>;
/** A prekey's X25519 secret key (32 bytes): opens envelopes sealed to that prekey until it is deleted. */
export type PrekeySecretKey = Brand<Uint8Array, 'PrekeySecretKey'>;

const SIGN_SECRET_BYTES = 64;
const X25519_SECRET_BYTES = 32;

function sized(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length)
    throw new Error(`${what} is ${length} bytes`);
  return bytes;
}

/** Treats bytes that came from libsodium's keygen or the vault (length-checked) as the signing key. */
export function asDeviceSignSecretKey(bytes: Uint8Array): DeviceSignSecretKey {
  return sized(bytes, SIGN_SECRET_BYTES, 'a device signing key') as DeviceSignSecretKey;
}

export function asDeviceBoxSecretKey(bytes: Uint8Array): DeviceBoxSecretKey {
  return sized(bytes, X25519_SECRET_BYTES, 'a device box key') as DeviceBoxSecretKey;
}

export function asPrekeySecretKey(bytes: Uint8Array): PrekeySecretKey {
  return sized(bytes, X25519_SECRET_BYTES, 'a prekey secret') as PrekeySecretKey;
}

export interface DeviceKeys {
  /** 32 lowercase hex: the first 16 bytes of SHA-256(signPublicKey) (shared/sync/device-id.ts). */
  deviceId: string;
  signPublicKey: Uint8Array;
  /** Ed25519, 64 bytes. */
  signSecretKey: DeviceSignSecretKey;
  boxPublicKey: Uint8Array;
  /** X25519, 32 bytes. Never used to open envelopes (see prekeys.ts). */
  boxSecretKey: DeviceBoxSecretKey;
}

/**
 * A device's signed prekey, decoded: the device it belongs to, the key and signature as bytes.
 * On the wire (base64, the device implied) it is the relay protocol's `SignedPrekey`.
 */
export interface DevicePrekey {
  deviceId: string;
  /** 32 lowercase hex. */
  prekeyId: string;
  /** X25519, 32 bytes. */
  publicKey: Uint8Array;
  /** ms since epoch. */
  createdAt: number;
  /** The device's Ed25519 signature over prekeyMessage(). */
  signature: Uint8Array;
}

/** A prekey this device holds the secret of. */
export interface PrekeySecret {
  prekeyId: string;
  publicKey: Uint8Array;
  secretKey: PrekeySecretKey;
  createdAt: number;
}
