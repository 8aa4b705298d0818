import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader';

describe('ByteReader', () => {
  it('reads views and big-endian integers within its window', () => {
    const bytes = new Uint8Array([9, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1, 0, 7]);
    const r = new ByteReader(bytes, 1, 14);
    expect(r.u8()).toBe(1);
    expect(r.u32()).toBe(2);
    expect(r.u64()).toBe(256);
    expect(r.remaining).toBe(0);
    expect(() => r.u8()).toThrow(RangeError); // the byte after the window is not readable
    const view = new ByteReader(bytes).take(3);
    expect(view.buffer).toBe(bytes.buffer);
  });

  it('refuses reads past the end and u64s above the safe integer range', () => {
    expect(() => new ByteReader(new Uint8Array(3)).u32()).toThrow(RangeError);
    expect(() => new ByteReader(new Uint8Array(2)).take(-1)).toThrow(RangeError);
    expect(() => new ByteReader(new Uint8Array(8).fill(0xff)).u64()).toThrow(RangeError);
    expect(new ByteReader(new Uint8Array([0, 0x1f, 255, 255, 255, 255, 255, 255])).u64()).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });
});
