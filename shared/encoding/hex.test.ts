import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from './hex';

describe('hex', () => {
  it('round-trips every byte value, in lowercase', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toHex(all)).toBe(Buffer.from(all).toString('hex'));
    expect(fromHex(toHex(all))).toEqual(all);
  });

  it('refuses uppercase, odd length and other characters', () => {
    for (const bad of ['AB', 'abc', 'zz', ' a']) expect(() => fromHex(bad)).toThrow();
  });
});
