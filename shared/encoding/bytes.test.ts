import { describe, expect, it } from 'vitest';
import { concat, lengthPrefixed, u32be, u64be } from './bytes';

describe('byte encodings', () => {
  it('writes fixed-width big-endian integers, and refuses what does not fit', () => {
    expect([...u32be(0x01020304)]).toEqual([1, 2, 3, 4]);
    expect([...u64be(0x0102030405)]).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
    expect([...u64be(Number.MAX_SAFE_INTEGER)]).toEqual([0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    for (const bad of [-1, 1.5, 2 ** 32]) expect(() => u32be(bad)).toThrow(RangeError);
    for (const bad of [-1, 0.5, 2 ** 53]) expect(() => u64be(bad)).toThrow(RangeError);
  });

  it('concatenates, and prefixes a field with its 4-byte length so no field runs into the next', () => {
    expect([...concat([new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])])]).toEqual([1, 2, 3]);
    expect([...lengthPrefixed(new Uint8Array([9, 9]))]).toEqual([0, 0, 0, 2, 9, 9]);
    // "ab" + "c" and "a" + "bc" differ once each part carries its length.
    const ab = concat([lengthPrefixed(new Uint8Array([97, 98])), lengthPrefixed(new Uint8Array([99]))]);
    const bc = concat([lengthPrefixed(new Uint8Array([97])), lengthPrefixed(new Uint8Array([98, 99]))]);
    expect(ab).not.toEqual(bc);
  });
});
