/**
 * Deterministic byte encodings: fixed-width big-endian integers and concatenation, no
 * cryptography. Everything that is signed or hashed (envelopes, relay messages) is built from
 * these, so two devices always produce the same bytes for the same values.
 */

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An integer in 0..2^32 − 1 as 4 bytes big-endian. */
export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('not a u32');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** A non-negative safe integer (≤ 2^53 − 1) as 8 bytes big-endian. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('not a non-negative safe integer');
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(n / 0x1_0000_0000));
  view.setUint32(4, n >>> 0);
  return out;
}

/** 4-byte big-endian length, then the bytes: no field can run into the next. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return concat([u32be(bytes.length), bytes]);
}
