import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCms } from './cms';
import { MAX_SIGNATURE_BYTES, placeholderSize } from './signer';

describe('PDF signature placeholder size', () => {
  it('holds an RSA-4096 signature with a full chain of RSA-4096 certificates with long names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embassy-ph-'));
    try {
      const subject = `/C=VN/ST=Ha Noi/L=Ba Dinh/O=${'Ministry of Foreign Affairs '.repeat(2)}/OU=Consular Department/CN=${'Nguyen Van A '.repeat(3)}`;
      // One 4096-bit key (key generation is the slow part), two certificates for it.
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        'rsa_keygen_bits:4096',
        '-out',
        join(dir, 'k.pem'),
      ]);
      const make = (name: string) => {
        execFileSync('openssl', [
          'req', '-x509', '-new', '-key', join(dir, 'k.pem'), '-out', join(dir, `${name}.pem`),
          '-subj', `${subject}${name}`, '-days', '30', '-addext', 'subjectAltName=email:officer@mofa.example',
        ], { stdio: 'ignore' }); // prettier-ignore
        return new X509Certificate(readFileSync(join(dir, `${name}.pem`)));
      };
      const cert = make('signer');
      const ca = make('ca');
      // Three intermediates the size of a 4096-bit certificate: a deep government chain.
      const chain = [ca, ca, ca];
      const size = placeholderSize([cert.raw.length, ...chain.map((c) => c.raw.length)]);
      const cms = await buildCms({
        contentDigest: randomBytes(32),
        signerCertificate: cert,
        chain,
        mechanism: 'rsa-pss-sha256',
        sign: async () => randomBytes(MAX_SIGNATURE_BYTES),
      });
      expect(cms.length).toBeGreaterThan(cert.raw.length + 3 * ca.raw.length);
      expect(cms.length).toBeLessThanOrEqual(size);
      expect(size % 1024).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('never goes below 8 KiB', () => {
    expect(placeholderSize([])).toBe(8192);
    expect(placeholderSize([600])).toBe(8192);
    expect(placeholderSize([5000, 5000])).toBe(15 * 1024);
  });
});
