import { describe, expect, it } from 'vitest';
import { checkPrepared, embedCms } from './signature-placeholder';

/** A prepared update as the sandbox answers it: original, then an update with a placeholder. */
function prepared(original: Buffer, hexLength = 8) {
  const head = Buffer.concat([original, Buffer.from('\n9 0 obj << /Contents <', 'latin1')]);
  const off = head.length;
  const bytes = Buffer.concat([
    head,
    Buffer.alloc(hexLength, '0'),
    Buffer.from('> >> endobj\n%%EOF\n', 'latin1'),
  ]);
  const c = off + hexLength + 1;
  return {
    bytes: new Uint8Array(bytes),
    byteRange: [0, off - 1, c, bytes.length - c] as [number, number, number, number],
    contentsHexOffset: off,
    contentsHexLength: hexLength,
  };
}

describe('a prepared signature from the sandbox is checked before anything is signed', () => {
  const original = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n', 'latin1');

  it('accepts an update that only appends, and embeds the CMS in the placeholder', () => {
    const ok = checkPrepared(original, prepared(original));
    expect(embedCms(ok, Buffer.from([0xab, 0xcd])).toString('latin1')).toContain('<abcd0000>');
  });

  it('refuses an answer that changed the original bytes (a compromised parser)', () => {
    const p = prepared(original);
    p.bytes[3] = 0x58;
    expect(() => checkPrepared(original, p)).toThrow(/original bytes/);
  });

  it('refuses a byte range that leaves out more than the placeholder, or a placeholder not empty', () => {
    const wide = prepared(original);
    expect(() =>
      checkPrepared(original, { ...wide, byteRange: [0, 5, wide.byteRange[2], wide.byteRange[3]] }),
    ).toThrow(/byte range/);
    const dirty = prepared(original);
    dirty.bytes[dirty.contentsHexOffset + 2] = 0x31;
    expect(() => checkPrepared(original, dirty)).toThrow(/not empty/);
    const before = prepared(original);
    expect(() =>
      checkPrepared(Buffer.concat([original, Buffer.from('\n9 0 obj << /Contents <0', 'latin1')]), before),
    ).toThrow();
  });

  it('refuses a CMS larger than the placeholder', () => {
    const ok = checkPrepared(original, prepared(original, 4));
    expect(() => embedCms(ok, Buffer.alloc(3))).toThrow(/larger/);
  });
});
