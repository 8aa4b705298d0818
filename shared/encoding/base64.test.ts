import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from './base64';

describe('base64 without Buffer', () => {
  it('matches Node for every byte value and for more than one 32 KiB piece', () => {
    const bytes = new Uint8Array(0x8000 * 2 + 17).map((_, i) => (i * 31 + 7) & 0xff);
    const encoded = toBase64(bytes);
    expect(encoded).toBe(Buffer.from(bytes).toString('base64'));
    expect(fromBase64(encoded)).toEqual(bytes);
    expect(toBase64(new Uint8Array())).toBe('');
  });
  it('refuses characters outside the alphabet', () => {
    expect(() => fromBase64('not base64!')).toThrow();
  });
});
