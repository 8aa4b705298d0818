import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validatePath } from '../../electron/core/signing/path';
import { createChainBuilder, SIGNER_EXTENSIONS, type ChainBuilder } from '../fixtures/chain-builder';

/**
 * Name constraints in every form the validator matches (rfc822Name with and without a leading
 * dot, dNSName, iPAddress, directoryName), permitted and excluded, on chains built by openssl;
 * each answer is compared with `openssl verify` on the same chain.
 */
const run = promisify(execFile);

const CA = ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign'];
const LEAF = SIGNER_EXTENSIONS.filter((e) => !e.startsWith('authorityKeyIdentifier'));

interface NcCase {
  readonly name: string;
  /** The CA's nameConstraints value and any openssl sections it refers to. */
  readonly constraints: string;
  readonly sections?: readonly string[];
  readonly san: string;
  readonly permitted: boolean;
}

const CASES: readonly NcCase[] = [
  { name: 'email host, inside', constraints: 'permitted;email:mofa.example', san: 'email:a@mofa.example', permitted: true },
  { name: 'email host, subdomain is outside', constraints: 'permitted;email:mofa.example', san: 'email:a@hq.mofa.example', permitted: false },
  { name: 'email .domain, subdomain inside', constraints: 'permitted;email:.mofa.example', san: 'email:a@hq.mofa.example', permitted: true },
  { name: 'email .domain, the domain itself outside', constraints: 'permitted;email:.mofa.example', san: 'email:a@mofa.example', permitted: false },
  { name: 'email mailbox excluded', constraints: 'excluded;email:spy@mofa.example', san: 'email:spy@mofa.example', permitted: false },
  { name: 'DNS excluded subdomain', constraints: 'excluded;DNS:evil.example', san: 'DNS:www.evil.example', permitted: false },
  { name: 'DNS excluded, other name', constraints: 'excluded;DNS:evil.example', san: 'DNS:www.notevil.example', permitted: true },
  { name: 'IP permitted /8, inside', constraints: 'permitted;IP:10.0.0.0/255.0.0.0', san: 'IP:10.1.2.3', permitted: true },
  { name: 'IP permitted /8, outside', constraints: 'permitted;IP:10.0.0.0/255.0.0.0', san: 'IP:192.168.1.1', permitted: false },
  { name: 'directoryName permitted, inside', constraints: 'permitted;dirName:dn_ok', sections: ['[dn_ok]', 'C=VN', 'O=Embassy Test'], san: 'email:a@mofa.example', permitted: true },
  { name: 'directoryName permitted, outside', constraints: 'permitted;dirName:dn_other', sections: ['[dn_other]', 'C=VN', 'O=Other Ministry'], san: 'email:a@mofa.example', permitted: false },
  { name: 'email constraint does not bind a DNS name', constraints: 'permitted;email:mofa.example', san: 'DNS:anything.example', permitted: true },
]; // prettier-ignore

describe('name constraints, each form, against openssl verify', () => {
  let b: ChainBuilder;
  const results: { name: string; ours: boolean; openssl: boolean; expected: boolean }[] = [];

  beforeAll(async () => {
    b = await createChainBuilder();
    for (const [i, c] of CASES.entries()) {
      const ca = await b.issue(b.root, {
        name: `nc-ca-${i}`,
        // Sections (for dirName) go after the extension lines, as openssl wants.
        extensions: [...CA, `nameConstraints=critical,${c.constraints}`, ...(c.sections ?? [])],
      });
      const leaf = await b.issue(ca, {
        name: `nc-leaf-${i}`,
        extensions: [...LEAF, `subjectAltName=${c.san}`],
      });
      const now = new Date();
      const ours = validatePath({
        target: leaf.cert,
        untrusted: [ca.cert],
        anchors: [b.root.cert],
        crls: [],
        at: now,
        now,
        purpose: 'any',
      });
      expect(ours.trusted, c.name).toBe(true);
      const chain = await b.bundle(`nc-chain-${i}.pem`, [ca]);
      const openssl = await run('openssl', [
        'verify',
        '-CAfile',
        b.root.path,
        '-untrusted',
        chain,
        leaf.path,
      ]).then(
        () => true,
        () => false,
      );
      results.push({
        name: c.name,
        ours: !ours.reasons.some((r) => r.code === 'NAME_CONSTRAINTS_VIOLATED'),
        openssl,
        expected: c.permitted,
      });
    }
  }, 120_000);
  afterAll(async () => {
    await b?.cleanup();
  });

  it('every case gives the expected answer, and OpenSSL agrees on each', () => {
    expect(results.map((r) => [r.name, r.ours])).toEqual(CASES.map((c) => [c.name, c.permitted]));
    expect(results.filter((r) => r.openssl !== r.ours).map((r) => r.name)).toEqual([]);
  });
});
