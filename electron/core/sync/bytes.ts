/**
 * Byte helpers for the envelope layer: deterministic encodings only (fixed-width big-endian
 * integers, printable ASCII), no cryptography. Everything that is signed or hashed is built
 * from these, so two devices always produce the same bytes for the same values.
 */

/** Printable ASCII only (0x20..0x7e): signed fields never depend on a text encoding. */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new Error('signed fields must be printable ASCII');
    out[i] = c;
  }
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError('not a u32');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** A non-negative safe integer as 8 bytes big-endian. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('not a non-negative safe integer');
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(n / 0x1_0000_0000));
  view.setUint32(4, n >>> 0);
  return out;
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX.charAt(b >> 4) + HEX.charAt(b & 15);
  return s;
}

/** Lowercase hex only, even length; throws otherwise. */
export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A bounds-checked reader: every read checks the remaining length first, never allocates. */
export class ByteReader {
  private at: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  /** A view (no copy) of the next `n` bytes; throws RangeError if fewer remain. */
  take(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0 || n > this.remaining) throw new RangeError('read past the end');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(): number {
    const [b] = this.take(1);
    if (b === undefined) throw new RangeError('read past the end');
    return b;
  }

  u32(): number {
    const b = this.take(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }

  /** A u64 that must be a safe integer (throws RangeError above 2^53 - 1). */
  u64(): number {
    const b = this.take(8);
    const view = new DataView(b.buffer, b.byteOffset, 8);
    const hi = view.getUint32(0);
    if (hi >= 0x20_0000) throw new RangeError('u64 above the safe integer range');
    return hi * 0x1_0000_0000 + view.getUint32(4);
  }
}
