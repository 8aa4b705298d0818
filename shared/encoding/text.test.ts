import { describe, expect, it } from 'vitest';
import { ascii, hasControl, isWellFormed, utf8Encode } from './text';

describe('text encodings', () => {
  it('encodes printable ASCII only', () => {
    expect([...ascii('A z~')]).toEqual([65, 32, 122, 126]);
    for (const bad of ['\0', '\n', 'é', '\u007f']) expect(() => ascii(bad)).toThrow();
  });

  it('encodes UTF-8 as Node does, and refuses a lone surrogate instead of replacing it', () => {
    for (const text of ['', 'Hà Nội', 'Đà Lạt', '€', '𝄞 music', 'a\u0000b']) {
      expect(Buffer.from(utf8Encode(text))).toEqual(Buffer.from(text, 'utf8'));
    }
    for (const bad of ['\ud800', 'a\udc00', '\ud800x']) {
      expect(isWellFormed(bad)).toBe(false);
      expect(() => utf8Encode(bad)).toThrow();
    }
    expect(isWellFormed('𝄞')).toBe(true);
  });

  it('finds control characters and line separators', () => {
    expect(hasControl('Nguyễn Văn An')).toBe(false);
    for (const bad of ['a\tb', '\u0085', '\u2028', '\u007f']) expect(hasControl(bad)).toBe(true);
  });
});
