import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { certifyDevice, revokeOfficer, testAnchorDer } from '../../../tests/fixtures/officer-certificates';
import { loadSodium, type Sodium } from '../vault/sodium';
import { CertificationError, verifyDeviceCertification, type IdentityTrust } from './device-certification';
import { generateDeviceKeys } from './prekeys';

const NOW = Date.UTC(2025, 0, 6, 9, 0, 0);
let sodium: Sodium;
let trust: IdentityTrust;

beforeAll(async () => {
  sodium = await loadSodium();
  trust = { anchors: [new X509Certificate(Buffer.from(testAnchorDer()))], crls: [] };
});

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CertificationError) return e.reason;
    throw e;
  }
  throw new Error('accepted');
}

describe('a directory device certification, checked on the workstation', () => {
  it('proves the officer its certificate names, for exactly the keys it signed', () => {
    const keys = generateDeviceKeys(sodium);
    const officer = { address: 'lan.vo@mission.example', name: 'Võ Thị Lan', department: 'Lãnh sự' };
    const { certification, certificateFingerprint } = certifyDevice(
      officer,
      keys.signPublicKey,
      keys.boxPublicKey,
    );
    expect(
      verifyDeviceCertification(certification, keys.signPublicKey, keys.boxPublicKey, trust, NOW),
    ).toEqual({
      ...officer,
      certificateFingerprint,
    });
    const other = generateDeviceKeys(sodium);
    expect(
      reason(() =>
        verifyDeviceCertification(certification, other.signPublicKey, keys.boxPublicKey, trust, NOW),
      ),
    ).toBe('bad-signature');
    expect(
      reason(() =>
        verifyDeviceCertification(certification, keys.signPublicKey, other.boxPublicKey, trust, NOW),
      ),
    ).toBe('bad-signature');
  });

  it('refuses without a pinned anchor, outside validity, malformed, and once a CRL held revokes it', () => {
    const keys = generateDeviceKeys(sodium);
    const officer = { address: 'revoked@mission.example', name: 'Revoked Officer', department: '' };
    const { certification } = certifyDevice(officer, keys.signPublicKey, keys.boxPublicKey);
    const check = (t: IdentityTrust, at = NOW, c = certification) =>
      reason(() => verifyDeviceCertification(c, keys.signPublicKey, keys.boxPublicKey, t, at));
    expect(check({ anchors: [], crls: [] })).toBe('untrusted-root');
    expect(check(trust, Date.UTC(2023, 0, 1))).toBe('not-valid-now');
    expect(check(trust, NOW, Buffer.from('{"version":1}').toString('base64'))).toBe('malformed');
    const crl = revokeOfficer(officer.address, officer.name);
    // Revoked now: refused from the revocation on (the CRL dates it), accepted before it.
    const later = Date.now() + 60_000;
    expect(check({ ...trust, crls: [crl] }, later)).toBe('revoked');
    expect(() =>
      verifyDeviceCertification(certification, keys.signPublicKey, keys.boxPublicKey, trust, later),
    ).not.toThrow();
  });
});
