import { toHex } from '../../../shared/encoding/hex';
import { DEVICE_ID_BYTES, deviceIdOf, ID_HEX } from '../../../shared/sync/device-id';
import { prekeyMessage } from '../../../shared/sync/relay-protocol';
import { PREKEY_CONTEXT } from '../../../shared/sync/signing-contexts';
import type { Sodium } from '../vault';
import {
  asDeviceBoxSecretKey,
  asDeviceSignSecretKey,
  asPrekeySecretKey,
  type DeviceKeys,
  type DevicePrekey,
  type PrekeySecret,
} from './device-keys';

/** The bytes a prekey signature covers, and its label: one definition, shared with the relay. */
export { PREKEY_CONTEXT, prekeyMessage };

/**
 * Device keys and signed prekeys of the end-to-end layer (see docs/protocols/envelope-v1.md and
 * directory-v2.md).
 *
 * A device has a long-term Ed25519 signing key (its identity: the device id is derived from
 * it) and a long-term X25519 box key. Envelopes are never encrypted to the long-term box key:
 * they are encrypted to the recipient's current **prekey**, an X25519 key pair the device
 * makes every `rotateEveryMs`, signs with its Ed25519 key and publishes. Once a prekey's
 * secret is deleted (after `graceMs` in retirement), traffic sealed to it cannot be opened by
 * anyone, even with every long-term key of the device: that is the forward-secrecy window.
 */

/** The device-id rule (shared/sync/device-id.ts) with libsodium's SHA-256. */
export function deviceIdFromSignPublicKey(sodium: Sodium, signPublicKey: Uint8Array): string {
  return deviceIdOf(signPublicKey, (bytes) => sodium.crypto_hash_sha256(bytes));
}

export function generateDeviceKeys(sodium: Sodium): DeviceKeys {
  const sign = sodium.crypto_sign_keypair();
  const box = sodium.crypto_box_keypair();
  return {
    deviceId: deviceIdFromSignPublicKey(sodium, sign.publicKey),
    signPublicKey: sign.publicKey,
    signSecretKey: asDeviceSignSecretKey(sign.privateKey),
    boxPublicKey: box.publicKey,
    boxSecretKey: asDeviceBoxSecretKey(box.privateKey),
  };
}

/** A fresh X25519 prekey, signed by the device. `now` becomes its `createdAt`. */
export function generatePrekey(
  sodium: Sodium,
  device: DeviceKeys,
  now: number,
): { secret: PrekeySecret; signed: DevicePrekey } {
  if (!Number.isSafeInteger(now) || now < 0) throw new Error('generatePrekey: now must be ms since epoch');
  const prekeyId = toHex(sodium.randombytes_buf(DEVICE_ID_BYTES));
  const pair = sodium.crypto_box_keypair();
  const signature = sodium.crypto_sign_detached(
    prekeyMessage(device.deviceId, prekeyId, pair.publicKey, now),
    device.signSecretKey,
  );
  return {
    secret: {
      prekeyId,
      publicKey: pair.publicKey,
      secretKey: asPrekeySecretKey(pair.privateKey),
      createdAt: now,
    },
    signed: { deviceId: device.deviceId, prekeyId, publicKey: pair.publicKey, createdAt: now, signature },
  };
}

/**
 * True only if `prekey` is well formed, `signPublicKey` is the key of `prekey.deviceId`
 * (the device id derives from it) and the signature verifies. Never throws.
 */
export function verifyPrekey(sodium: Sodium, prekey: DevicePrekey, signPublicKey: Uint8Array): boolean {
  try {
    if (
      !ID_HEX.test(prekey.deviceId) ||
      !ID_HEX.test(prekey.prekeyId) ||
      !(prekey.publicKey instanceof Uint8Array) ||
      prekey.publicKey.length !== 32 ||
      !(prekey.signature instanceof Uint8Array) ||
      prekey.signature.length !== sodium.crypto_sign_BYTES ||
      !Number.isSafeInteger(prekey.createdAt) ||
      prekey.createdAt < 0 ||
      !(signPublicKey instanceof Uint8Array) ||
      signPublicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES
    ) {
      return false;
    }
    if (deviceIdFromSignPublicKey(sodium, signPublicKey) !== prekey.deviceId) return false;
    return sodium.crypto_sign_verify_detached(
      prekey.signature,
      prekeyMessage(prekey.deviceId, prekey.prekeyId, prekey.publicKey, prekey.createdAt),
      signPublicKey,
    );
  } catch {
    return false;
  }
}

export interface PrekeyPolicy {
  /** A new prekey is made once the current one is this old. */
  rotateEveryMs: number;
  /** A retired prekey's secret is kept this long (for envelopes still in flight), then deleted. */
  graceMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_PREKEY_POLICY: PrekeyPolicy = Object.freeze({
  rotateEveryMs: 7 * DAY,
  graceMs: 14 * DAY,
});

/**
 * How far in the future a prekey's `createdAt` may be (clock skew between devices) before a
 * sender refuses it: a far-future prekey would otherwise never become stale.
 */
export const PREKEY_MAX_FUTURE_SKEW_MS = 60 * 60 * 1000;

/**
 * Whether a sender may still encrypt to `prekey` at `now`: not older than
 * `rotateEveryMs + graceMs` (by then its owner has deleted the secret, or the relay is
 * serving a withheld, stale prekey) and not dated in the future beyond the allowed skew.
 */
export function isPrekeyFresh(
  prekey: { createdAt: number },
  now: number,
  policy: PrekeyPolicy = DEFAULT_PREKEY_POLICY,
): boolean {
  return (
    Number.isSafeInteger(prekey.createdAt) &&
    prekey.createdAt >= now - (policy.rotateEveryMs + policy.graceMs) &&
    prekey.createdAt <= now + PREKEY_MAX_FUTURE_SKEW_MS
  );
}

/**
 * Given the prekey secrets a device holds, decide whether a new prekey is due and which old
 * secrets to delete now.
 *
 * The newest (greatest `createdAt`, ties broken by id) is "current" and is never deleted.
 * When the caller makes a new prekey it sets `retiredAt = now` on the previous current one.
 * A retired secret is deleted once it was retired more than `graceMs` ago. A non-current
 * entry without `retiredAt` (state written before a crash) counts as retired when the next
 * newer prekey was created.
 */
export function planPrekeyRotation(
  held: readonly { prekeyId: string; createdAt: number; retiredAt?: number }[],
  now: number,
  policy: PrekeyPolicy = DEFAULT_PREKEY_POLICY,
): { rotate: boolean; deleteIds: string[] } {
  const sorted = [...held].sort((a, b) =>
    a.createdAt !== b.createdAt ? b.createdAt - a.createdAt : a.prekeyId < b.prekeyId ? 1 : -1,
  );
  const [current, ...older] = sorted;
  if (!current) return { rotate: true, deleteIds: [] };
  const rotate = now - current.createdAt >= policy.rotateEveryMs;
  const deleteIds: string[] = [];
  let newer = current;
  for (const entry of older) {
    const retiredAt = entry.retiredAt ?? newer.createdAt;
    if (now - retiredAt > policy.graceMs) deleteIds.push(entry.prekeyId);
    newer = entry;
  }
  return { rotate, deleteIds };
}
