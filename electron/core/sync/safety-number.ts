import { SAFETY_NUMBER_CONTEXT } from '../../../shared/sync/signing-contexts';
import type { Sodium } from '../vault';

/**
 * Safety numbers (docs/protocols/safety-number-v1.md): 60 digits two officers read to each
 * other, or scan, to check that each workstation holds the other's real devices. Shaped like
 * Signal's numeric fingerprint (an iterated hash per side, 30 digits each, the smaller side
 * first), but each side covers what identity rests on here: the officer's address and, for
 * every approved device, its token certificate and both device keys. The hash is libsodium's
 * BLAKE2b; nothing else is home-made.
 */

/** One approved device of an officer, as the certified view of the directory proves it. */
export interface SafetyDevice {
  readonly deviceId: string;
  readonly signPublicKey: Uint8Array;
  readonly boxPublicKey: Uint8Array;
  /** The token certificate (DER) that certified the device's keys. */
  readonly certificate: Uint8Array;
}

/** An officer's side: address (lowercase, from their certificate) and approved devices. */
export interface SafetySide {
  readonly address: string;
  readonly devices: readonly SafetyDevice[];
}

export const SAFETY_NUMBER_LABEL = SAFETY_NUMBER_CONTEXT;
export const SAFETY_NUMBER_ITERATIONS = 5200;
/** The QR code's text: this prefix, then the 60 digits. */
export const SAFETY_QR_PREFIX = 'EMBASSY-SN1:';

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The bytes one side's digits are derived from (the spec's `sideInput`). */
export function sideInput(side: SafetySide): Uint8Array {
  const enc = new TextEncoder();
  const address = enc.encode(side.address.toLowerCase());
  const devices = [...side.devices].sort((a, b) =>
    a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0,
  );
  const parts: Uint8Array[] = [
    enc.encode(SAFETY_NUMBER_LABEL),
    new Uint8Array([0]),
    u32(address.length),
    address,
  ];
  parts.push(u32(devices.length));
  for (const d of devices) {
    if (d.signPublicKey.length !== 32 || d.boxPublicKey.length !== 32)
      throw new Error('device keys are 32 bytes');
    parts.push(d.signPublicKey, d.boxPublicKey, u32(d.certificate.length), d.certificate);
  }
  return concat(parts);
}

/**
 * Digits already computed, by the hex of K (the hash of a side's whole input): the 5,200
 * iterations cost tens of milliseconds, and every directory recomputes each verified contact.
 */
export type SafetyDigitsCache = Map<string, string>;
const CACHE_LIMIT = 4096;

/** One side's 30 digits. */
export function sideDigits(sodium: Sodium, side: SafetySide, cache?: SafetyDigitsCache): string {
  const key = sodium.crypto_generichash(64, sideInput(side), null);
  const id = cache ? sodium.to_hex(key) : '';
  const hit = cache?.get(id);
  if (hit !== undefined) return hit;
  let d = key;
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i++)
    d = sodium.crypto_generichash(64, concat([d, key]), null);
  let digits = '';
  for (let j = 0; j < 6; j++) {
    // A 40-bit big-endian chunk: exact in a double (< 2^53).
    let v = 0;
    for (let k = 0; k < 5; k++) v = v * 256 + (d[j * 5 + k] as number);
    digits += String(v % 100_000).padStart(5, '0');
  }
  if (cache) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(id, digits);
  }
  return digits;
}

/** The pair's 60 digits: the same whichever side computes it. */
export function safetyNumber(
  sodium: Sodium,
  a: SafetySide,
  b: SafetySide,
  cache?: SafetyDigitsCache,
): string {
  const [x, y] = [sideDigits(sodium, a, cache), sideDigits(sodium, b, cache)].sort();
  return `${x}${y}`;
}

/** Twelve groups of five digits, as both screens show them. */
export function groupDigits(digits: string): string[] {
  return digits.match(/\d{1,5}/g) ?? [];
}
