import { execFile } from 'node:child_process';
import { sign } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../electron/cli/embassy';
import { signPades } from '../../electron/core/signing/pades';
import {
  CA_EXTENSIONS,
  createChainBuilder,
  SIGNER_EXTENSIONS,
  type ChainBuilder,
  type IssuedCert,
} from '../fixtures/chain-builder';
import { pdfSandbox } from '../fixtures/pdf-sandbox';
import { makePdf } from '../fixtures/verifiers';

/**
 * Certificate policies where the relying party requires some (`--policy`, IT policy's
 * `signing.requiredPolicies`): chains built with openssl, each judged by `embassy cert verify`
 * and by `openssl verify -policy … -explicit_policy` on the same files. OpenSSL implements the
 * whole of RFC 5280 §6.1's policy tree: where it accepts, so must we; where it refuses, so must we.
 */
const run = promisify(execFile);
const MINISTRY = '2.16.704.1.99.1';
const OTHER = '2.16.704.1.99.2';
const ANY = '2.5.29.32.0';

interface Case {
  readonly name: string;
  readonly ca: IssuedCert;
  readonly leaf: IssuedCert;
  readonly require: readonly string[];
  readonly accepted: boolean;
}

function capture(): { io: CliIo; out: () => string } {
  const out: string[] = [];
  return {
    io: { stdout: (t) => out.push(t), stderr: () => undefined, readStdin: async () => new Uint8Array() },
    out: () => out.join(''),
  };
}

describe('certificate policies required by the relying party', () => {
  let b: ChainBuilder;
  const cases: Case[] = [];
  const profile = () => ['--profile', join(b.dir, 'profile')];

  beforeAll(async () => {
    b = await createChainBuilder();
    const ca = (name: string, policies?: string) =>
      b.issue(b.root, {
        name,
        extensions: [...CA_EXTENSIONS, ...(policies ? [`certificatePolicies=${policies}`] : [])],
      });
    const leaf = (issuer: IssuedCert, name: string, policies?: string) =>
      b.issue(issuer, {
        name,
        extensions: [
          ...SIGNER_EXTENSIONS,
          `subjectAltName=email:${name}@mofa.example`,
          ...(policies ? [`certificatePolicies=${policies}`] : []),
        ],
        keyType: 'rsa',
      });
    const ministryCa = await ca('ministry-ca', MINISTRY);
    const anyCa = await ca('any-policy-ca', ANY);
    const bareCa = await ca('no-policy-ca');
    const ministryLeaf = await leaf(ministryCa, 'ministry-signer', MINISTRY);
    const add = (name: string, c: IssuedCert, l: IssuedCert, require: string[], accepted: boolean) =>
      cases.push({ name, ca: c, leaf: l, require, accepted });
    add('the ministry policy all the way down', ministryCa, ministryLeaf, [MINISTRY], true);
    add('another policy required', ministryCa, ministryLeaf, [OTHER], false);
    add('one of two required policies', ministryCa, ministryLeaf, [OTHER, MINISTRY], true);
    add('a CA asserting anyPolicy', anyCa, await leaf(anyCa, 'any-ca-signer', MINISTRY), [MINISTRY], true);
    add('a CA without policies', bareCa, await leaf(bareCa, 'bare-ca-signer', MINISTRY), [MINISTRY], false);
    add('a signer without policies', ministryCa, await leaf(ministryCa, 'bare-signer'), [MINISTRY], false);
    add(
      'the signer asserts a policy its CA does not',
      ministryCa,
      await leaf(ministryCa, 'other-signer', OTHER),
      [OTHER],
      false,
    );
    add('nothing required: no policies needed', bareCa, await leaf(bareCa, 'free-signer'), [], true);
  }, 120_000);
  afterAll(async () => {
    await b?.cleanup();
  });

  it('embassy cert verify --policy agrees with openssl verify -explicit_policy on every case', async () => {
    const table: string[] = [];
    for (const c of cases) {
      const policyArgs = c.require.flatMap((p) => ['--policy', p]);
      const { io, out } = capture();
      const exit = await runCli(
        ['cert', 'verify', c.leaf.path, '--trust', b.root.path, '--untrusted', c.ca.path, ...policyArgs, '--json', ...profile()],
        io,
      ); // prettier-ignore
      const report = JSON.parse(out()) as { verdict: string; reasons: { code: string }[] };
      const opensslArgs = c.require.flatMap((p) => ['-policy', p]);
      const openssl = await run('openssl', [
        'verify', '-CAfile', b.root.path, '-untrusted', c.ca.path,
        ...(c.require.length > 0 ? [...opensslArgs, '-explicit_policy'] : []), c.leaf.path,
      ]).then(() => true, () => false); // prettier-ignore
      table.push(`${c.name}: ours ${report.verdict}, openssl ${openssl ? 'OK' : 'refused'}`);
      expect(openssl, `openssl on "${c.name}"`).toBe(c.accepted);
      if (c.accepted) {
        expect(report.verdict, c.name).toBe('valid');
        expect(exit).toBe(0);
      } else {
        expect(report.verdict, c.name).toBe('indeterminate');
        expect(report.reasons.map((r) => r.code)).toContain('POLICY_NOT_ACCEPTED');
      }
    }
    console.log(`certificate policies, ${cases.length} cases:\n  ${table.join('\n  ')}`);
  }, 120_000);

  it('embassy verify --policy: a signature whose path lacks the required policy is not valid', async () => {
    const c = cases.find((x) => x.name === 'a CA without policies');
    const good = cases[0];
    if (!c || !good) throw new Error('cases missing');
    const files: string[] = [];
    for (const x of [good, c]) {
      const pdf = join(b.dir, `${x.leaf.name}.pdf`);
      const signed = await signPades(
        await makePdf(1),
        {
          certificate: x.leaf.cert,
          chain: [x.ca.cert],
          mechanism: 'rsa-pkcs1-sha256',
          sign: async (data) => sign('sha256', data, x.leaf.key),
        },
        { signingTime: new Date() },
        pdfSandbox(),
      );
      await writeFile(pdf, signed);
      files.push(pdf);
    }
    const [goodPdf, badPdf] = files as [string, string];
    const verify = (file: string, extra: string[]) =>
      runCli(['verify', file, '--trust', b.root.path, ...extra, ...profile()], capture().io);
    expect(await verify(goodPdf, ['--policy', MINISTRY])).toBe(0);
    expect(await verify(badPdf, ['--policy', MINISTRY])).toBe(2);
    // Without a requirement the same signature is valid: the policy is what changed the verdict.
    expect(await verify(badPdf, [])).toBe(0);
    // A malformed OID is a usage error, not a silently empty requirement.
    expect(await verify(badPdf, ['--policy', 'ministry'])).toBe(2);
  }, 60_000);
});
