import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: null }], a: true, '': 'x' })).toBe(
      '{"":"x","a":true,"b":[3,{"a":null,"z":1}]}',
    );
    // RFC 8785 §3.2.3: U+20AC sorts before U+1F600 by UTF-16 units (0x20AC < 0xD83D), and "\r" first.
    expect(canonicalJson({ '\u20ac': 1, '\u{1f600}': 2, '\r': 3, '1': 4, ö: 5 })).toBe(
      '{"\\r":3,"1":4,"ö":5,"€":1,"😀":2}',
    );
  });

  it('escapes strings as RFC 8785 does (JSON.stringify) and formats numbers as ECMAScript', () => {
    expect(canonicalJson('\u0000\u001f"\\/é\u2028')).toBe('"\\u0000\\u001f\\"\\\\/é\u2028"');
    expect(canonicalJson([0, -0, 1e21, 1.5, -7, 9007199254740991])).toBe(
      '[0,0,1e+21,1.5,-7,9007199254740991]',
    );
  });

  it('is the same for the same data whatever the member order', () => {
    expect(canonicalJson(JSON.parse('{"x":{"q":1,"p":2},"a":[1]}'))).toBe(
      canonicalJson(JSON.parse('{"a":[1],"x":{"p":2,"q":1}}')),
    );
  });

  it('refuses what has no single canonical form', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/finite/);
    expect(() => canonicalJson(Infinity)).toThrow(/finite/);
    expect(() => canonicalJson('\ud800')).toThrow(/surrogate/);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(/surrogate/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined/);
    expect(() => canonicalJson(new Date(0))).toThrow(/not JSON data/);
    expect(() => canonicalJson(1n)).toThrow(/not JSON data/);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeply/);
  });
});
