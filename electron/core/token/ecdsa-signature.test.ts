import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rawEcdsaToDer } from './ecdsa-signature';

describe('rawEcdsaToDer', () => {
  it('turns P-256 r‖s into DER that node:crypto verifies, for many signatures', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // Many runs: about half of r/s values have the top bit set and 1/256 a leading zero byte.
    for (let i = 0; i < 300; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = rawEcdsaToDer(raw);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
      const reference = sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
      expect(der[0]).toBe(reference[0]);
    }
  });

  it('encodes minimal integers: leading zeros stripped, 0x00 added before a high bit', () => {
    const r = Buffer.alloc(32, 0);
    r[31] = 1;
    const s = Buffer.alloc(32, 0xff);
    expect(rawEcdsaToDer(Buffer.concat([r, s])).toString('hex')).toBe(`3026020101022100${'ff'.repeat(32)}`);
  });

  it('refuses an odd or empty input', () => {
    expect(() => rawEcdsaToDer(Buffer.alloc(0))).toThrow();
    expect(() => rawEcdsaToDer(Buffer.alloc(63))).toThrow();
  });
});
