import { execFile } from 'node:child_process';
import { sign, webcrypto, X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../electron/cli/embassy';
import { signPades } from '../../electron/core/signing/pades';
import type { Signer } from '../../electron/core/signing/signer';
import { createChainBuilder, type ChainBuilder } from '../fixtures/chain-builder';
import { buildPathCases, type PathCase } from '../fixtures/path-cases';
import { pdfSandbox } from '../fixtures/pdf-sandbox';
import { makePdf } from '../fixtures/verifiers';

/**
 * Issue 13's path validation cases, built with openssl (tests/fixtures/path-cases.ts), each
 * through `embassy cert verify` and through `embassy verify` of two signatures made with the
 * case's signer by other code than ours: an `openssl cms -sign` detached .p7s, and a PAdES PDF
 * whose CMS our format code builds around a software key (our signing refuses these
 * certificates before any PIN, so the token cannot be used). OpenSSL's own verdict on each
 * chain (`openssl verify`) is the baseline: where it refuses, so must we.
 */
const run = promisify(execFile);

interface Outcome {
  exit: number;
  json: { verdict: string; reasons?: { code: string }[]; signatures?: { reasons: { code: string }[] }[] };
}

function capture(): { io: CliIo; out: () => string } {
  const out: string[] = [];
  return {
    io: { stdout: (t) => out.push(t), stderr: () => undefined, readStdin: async () => new Uint8Array() },
    out: () => out.join(''),
  };
}

const EXIT: Record<string, number> = { valid: 0, invalid: 1, indeterminate: 2 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('certificate path validation (RFC 5280) through both commands', () => {
  let b: ChainBuilder;
  let cases: PathCase[];
  let signedAt: Date;
  const files = new Map<
    string,
    { p7s: string; content: string; pdf: string; crls: string[]; chain: string }
  >();
  const fileOf = (name: string) => {
    const f = files.get(name);
    if (!f) throw new Error(`no files for ${name}`);
    return f;
  };
  const profile = () => ['--profile', join(b.dir, 'profile')];

  async function signBoth(
    c: PathCase,
    index: number,
  ): Promise<{ p7s: string; content: string; pdf: string; chain: string }> {
    const content = join(b.dir, `case-${index}.txt`);
    await writeFile(content, `Công hàm số ${index}`);
    const chain = await b.bundle(`case-${index}-chain.pem`, c.intermediates);
    const p7s = `${content}.p7s`;
    await run('openssl', [
      'cms', '-sign', '-binary', '-in', content, '-signer', c.leaf.path, '-inkey', c.leaf.keyPath,
      '-certfile', chain, '-md', 'sha256', '-outform', 'DER', '-out', p7s,
    ]); // prettier-ignore
    const signer: Signer = {
      certificate: c.leaf.cert,
      chain: c.intermediates.map((i) => i.cert),
      mechanism: 'rsa-pkcs1-sha256',
      sign: async (data) => sign('sha256', data, c.leaf.key),
    };
    const pdf = join(b.dir, `case-${index}.pdf`);
    await writeFile(
      pdf,
      await signPades(await makePdf(1), signer, { signingTime: new Date() }, pdfSandbox()),
    );
    return { p7s, content, pdf, chain };
  }

  beforeAll(async () => {
    b = await createChainBuilder();
    cases = await buildPathCases(b);
    const crls = new Map<PathCase, string[]>();
    for (const c of cases) if (c.revoke === 'before-signing') crls.set(c, await c.crls());
    // Revocation dates and signing times have one-second resolution: keep them apart.
    await sleep(1100);
    const signed = await Promise.all(cases.map((c, i) => signBoth(c, i)));
    signedAt = new Date();
    await sleep(1100);
    for (const c of cases) if (c.revoke === 'after-signing') crls.set(c, await c.crls());
    cases.forEach((c, i) =>
      files.set(c.name, { ...(signed[i] as (typeof signed)[number]), crls: crls.get(c) ?? [] }),
    );
  }, 120_000);
  afterAll(async () => {
    await b?.cleanup();
  });

  async function cli(args: string[]): Promise<Outcome> {
    const cap = capture();
    const exit = await runCli([...args, '--json', ...profile()], cap.io);
    return { exit, json: JSON.parse(cap.out()) as Outcome['json'] };
  }

  const crlArgs = (crls: readonly string[]) => crls.flatMap((c) => ['--crl', c]);
  const codes = (o: Outcome) => (o.json.signatures?.[0]?.reasons ?? o.json.reasons ?? []).map((r) => r.code);

  it.each(Array.from({ length: 10 }, (_, i) => i))(
    'case %i: embassy cert verify gives its documented verdict',
    async (i) => {
      const c = cases[i] as PathCase;
      const f = fileOf(c.name);
      const o = await cli([
        'cert',
        'verify',
        c.leaf.path,
        '--trust',
        b.root.path,
        '--untrusted',
        f.chain,
        ...crlArgs(f.crls),
      ]);
      expect([c.name, o.json.verdict, o.exit]).toEqual([
        c.name,
        c.certVerify.verdict,
        EXIT[c.certVerify.verdict],
      ]);
      if (c.certVerify.reason) expect(codes(o)).toContain(c.certVerify.reason);
      else expect(codes(o)).toEqual([]);
    },
  );

  it.each(Array.from({ length: 10 }, (_, i) => i))(
    'case %i: embassy verify of an openssl CMS and of a PDF gives its documented verdict',
    async (i) => {
      const c = cases[i] as PathCase;
      const f = fileOf(c.name);
      for (const args of [[f.p7s, '--content', f.content], [f.pdf]]) {
        const o = await cli(['verify', ...args, '--trust', b.root.path, ...crlArgs(f.crls)]);
        expect([c.name, args[0], o.json.verdict, o.exit]).toEqual([
          c.name,
          args[0],
          c.signature.verdict,
          EXIT[c.signature.verdict],
        ]);
        const got = codes(o).filter((x) => x !== 'NO_SIGNING_TIME');
        if (c.signature.reason) expect(got).toContain(c.signature.reason);
        else expect(got).toEqual([]);
      }
    },
  );

  it('where OpenSSL refuses a chain, we do not say valid; --purpose any drops only the signing rules', async () => {
    let opensslRefused = 0;
    for (const c of cases) {
      const f = fileOf(c.name);
      const crl = f.crls.length > 0 ? ['-crl_check_all', ...f.crls.flatMap((x) => ['-CRLfile', x])] : [];
      const ok = await run('openssl', [
        'verify', '-x509_strict', '-purpose', 'smimesign', '-CAfile', b.root.path,
        '-untrusted', f.chain, ...crl, c.leaf.path,
      ]).then(() => true, () => false); // prettier-ignore
      if (!ok) {
        opensslRefused++;
        expect([c.name, c.certVerify.verdict]).not.toEqual([c.name, 'valid']);
      }
    }
    // OpenSSL sees no fault in the good chain and in "no revocation data" without -crl_check.
    expect(opensslRefused).toBeGreaterThanOrEqual(7);
    const eku = cases.find((c) => c.name.startsWith('wrong EKU')) as PathCase;
    const f = fileOf(eku.name);
    const any = await cli([
      'cert',
      'verify',
      eku.leaf.path,
      '--trust',
      b.root.path,
      '--untrusted',
      f.chain,
      '--purpose',
      'any',
    ]);
    expect([any.json.verdict, any.exit]).toEqual(['valid', 0]);
  });

  it("pkijs's CertificateChainValidationEngine alone misses what the validator adds (pathLen, EKU, revocation time)", async () => {
    pkijs.setEngine('test', new pkijs.CryptoEngine({ name: 'test', crypto: webcrypto as unknown as Crypto }));
    const der = (pem: string) => pkijs.Certificate.fromBER(new Uint8Array(new X509Certificate(pem).raw));
    const crlDer = async (path: string) =>
      pkijs.CertificateRevocationList.fromBER(
        new Uint8Array(
          Buffer.from((await readFile(path, 'latin1')).replace(/-----[^-]+-----|\s+/g, ''), 'base64'),
        ),
      );
    const accepted: string[] = [];
    for (const c of cases) {
      const f = fileOf(c.name);
      const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: [der(b.root.pem)],
        certs: [...c.intermediates.map((i) => der(i.pem)), der(c.leaf.pem)],
        crls: await Promise.all(f.crls.map(crlDer)),
        checkDate: new Date(),
      });
      const r = await engine.verify({ passedWhenNotRevValues: true });
      if (r.result) accepted.push(c.name);
    }
    expect(accepted).toEqual(
      expect.arrayContaining(['good chain', 'pathLen exceeded', 'wrong EKU (serverAuth)']),
    );
    // The documented verdict is "valid" for the good chain only: every other acceptance is a miss.
    console.log(`pkijs engine accepted ${accepted.length}/10: ${accepted.join('; ')}`);
  });

  it('--at: a revocation counts from its date (the time given is the validation time, as with openssl -attime)', async () => {
    const revoked = cases.find((c) => c.name === 'revoked, no proof of time') as PathCase;
    const r = fileOf(revoked.name);
    const before = await cli([
      'cert', 'verify', revoked.leaf.path, '--trust', b.root.path, '--untrusted', r.chain, ...crlArgs(r.crls),
      '--at', signedAt.toISOString(),
    ]); // prettier-ignore
    expect([before.json.verdict, codes(before)]).toEqual(['valid', []]);
    const after = await cli([
      'cert', 'verify', revoked.leaf.path, '--trust', b.root.path, '--untrusted', r.chain, ...crlArgs(r.crls),
      '--at', new Date(Date.now() + 3_600_000).toISOString(),
    ]); // prettier-ignore
    expect([after.json.verdict, codes(after)]).toEqual(['invalid', ['REVOKED']]);
  });
});
