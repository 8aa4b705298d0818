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
