import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { trustAnchorsInUse } from './trust-anchors';

const dir = mkdtempSync(join(tmpdir(), 'anchors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function selfSigned(name: string, file: string): string {
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
    '-subj', `/CN=${name}/O=Test`, '-keyout', join(dir, `${name}.key`), '-out', file,
  ], { stdio: 'ignore' }); // prettier-ignore
  return file;
}

describe('the trust anchors in use', () => {
  it('lists shipped, given-at-start and policy anchors with where each came from', async () => {
    mkdirSync(join(dir, 'shipped'));
    selfSigned('Shipped Root', join(dir, 'shipped', 'root.pem'));
    const given = selfSigned('Given Root', join(dir, 'given.pem'));
    const policy = new X509Certificate(readFileSync(selfSigned('Policy Root', join(dir, 'policy.pem'))));
    const anchors = await trustAnchorsInUse(
      { anchorsDir: join(dir, 'shipped'), anchorFiles: [given] },
      async (b) => ({
        ...b,
        anchors: [...b.anchors, policy],
      }),
    );
    expect(anchors.map((a) => [a.subject, a.source])).toEqual([
      ['Shipped Root', 'shipped'],
      ['Given Root', 'configured'],
      ['Policy Root', 'policy'],
    ]);
    expect(anchors[2]?.sha256).toBe(policy.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(anchors[0]?.issuer).toBe('Shipped Root');
    expect(Date.parse(anchors[0]?.notAfter ?? '')).toBeGreaterThan(Date.now());
  });
});
