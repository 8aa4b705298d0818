import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCades, sha256File } from '../../electron/core/signing/cades';
import { signPades } from '../../electron/core/signing/pades';
import type { Signer } from '../../electron/core/signing/signer';
import { createSigningService } from '../../electron/core/signing/signing-service';
import { verifyCades, verifyPdf } from '../../electron/core/signing/verify';
import { startTokenHost } from '../../electron/core/token';
import { createSoftHsmToken, type FixtureVariant, type SoftHsmToken } from '../fixtures/softhsm';
import { makePdf, nssDbTrusting, opensslCmsVerify, pdfsig } from '../fixtures/verifiers';
import { pdfSandbox } from '../fixtures/pdf-sandbox';

/**
 * Certificates that must not sign, and what verifiers say of signatures made with them anyway
 * (by another tool, bypassing our pre-checks: here the token is driven directly).
 */
describe.each([
  {
    variant: 'expired',
    refusal: 'E_SIGN_CERT_NOT_VALID_NOW',
    reasonCode: 'CERT_EXPIRED',
    openssl: /expired/,
  },
  {
    variant: 'unknown-root',
    refusal: 'E_SIGN_CERT_UNTRUSTED',
    reasonCode: 'NO_CERTIFICATE_CHAIN_FOUND',
    openssl: /unable to get local issuer|self.signed|unable to get issuer/,
  },
  {
    variant: 'wrong-key-usage',
    refusal: 'E_SIGN_CERT_KEY_USAGE',
    reasonCode: 'KEY_USAGE',
    openssl: /purpose|key usage/i,
  },
] as const)('certificate variant: $variant', ({ variant, refusal, reasonCode, openssl }) => {
  let token: SoftHsmToken;
  let dir: string;
  let root: X509Certificate;

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['ec'], variant: variant as FixtureVariant });
    root = new X509Certificate(token.ca.rootPem);
    dir = await mkdtemp(join(tmpdir(), `embassy-${variant}-`));
  }, 60_000);
  afterAll(async () => {
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`our signing refuses before the PIN is used (${refusal})`, async () => {
    const service = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env },
      trust: () => ({ anchors: [root] }),
    });
    try {
      const input = join(dir, 'doc.txt');
      await writeFile(input, 'content');
      await expect(
        service.signFiles({
          jobs: [{ input, output: `${input}.p7s`, format: 'cades' }],
          token: { label: token.label },
          pin: token.pin,
        }),
      ).rejects.toMatchObject({ code: refusal });
      expect(await (await service.tokenClient()).loginAttempts()).toBe(0);
    } finally {
      await service.close();
    }
  });

  it(`a signature made with it anyway: ours says indeterminate (${reasonCode}); openssl refuses`, async () => {
    const client = await startTokenHost({ modulePath: token.modulePath, env: token.env });
    try {
      const session = await client.login({ label: token.label }, token.pin);
      const signer: Signer = {
        certificate: new X509Certificate(token.keys.ec?.certPem ?? ''),
        chain: [new X509Certificate(token.issuingCa.intermediatePem)],
        mechanism: 'ecdsa-sha256',
        sign: (d) => session.sign('03', 'ecdsa-sha256', d),
      };
      const input = join(dir, 'doc.bin');
      await writeFile(input, 'a note verbale');
      const p7s = await signCades(await sha256File(input), signer, new Date());
      await writeFile(`${input}.p7s`, p7s);
      const ours = verifyCades(p7s, await readFile(input), { anchors: [root] });
      expect(ours.verdict).toBe('indeterminate');
      expect(ours.signatures[0]?.reasons.map((r) => r.code)).toContain(reasonCode);
      const o = await opensslCmsVerify(`${input}.p7s`, input, token.ca.rootPath);
      expect(o.ok).toBe(false);
      expect(o.stderr).toMatch(openssl);

      const pdf = await signPades(await makePdf(1), signer, { signingTime: new Date() }, pdfSandbox());
      const pdfReport = await verifyPdf(pdf, { anchors: [root] }, pdfSandbox());
      expect(pdfReport.verdict).toBe('indeterminate');
      expect(pdfReport.signatures[0]?.reasons.map((r) => r.code)).toContain(reasonCode);
      if (variant !== 'wrong-key-usage') {
        // pdfsig checks the signature bytes (valid) and, separately, the certificate.
        const nss = await nssDbTrusting([token.ca.rootPath]);
        const signedPath = join(dir, 'signed.pdf');
        await writeFile(signedPath, pdf);
        const [s] = await pdfsig(signedPath, nss);
        expect(s?.valid).toBe(true);
        expect(s?.trusted).toBe(false);
        await rm(nss, { recursive: true, force: true });
      }
      await session.logout();
    } finally {
      await client.close();
    }
  });
});

describe('batch signing', () => {
  let token: SoftHsmToken;
  let dir: string;
  let root: X509Certificate;

  beforeAll(async () => {
    token = await createSoftHsmToken({ keys: ['ec'] });
    root = new X509Certificate(token.ca.rootPem);
    dir = await mkdtemp(join(tmpdir(), 'embassy-batch-'));
    const pdf = await makePdf(1);
    for (let i = 0; i < 8; i++) await writeFile(join(dir, `in-${i}.pdf`), pdf);
    await writeFile(join(dir, 'in-broken.pdf'), '%PDF-1.7 this is not a PDF');
  }, 60_000);
  afterAll(async () => {
    await token?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const jobs = (names: string[], out: string) =>
    names.map((n) => ({
      input: join(dir, `in-${n}.pdf`),
      output: join(dir, out, `${n}.pdf`),
      format: 'pades' as const,
    }));

  it('one PIN (one C_Login) for many files, progress per file, a broken file does not stop the rest, cancel', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'out1'));
    const service = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env },
      trust: () => ({ anchors: [root] }),
    });
    try {
      const progress: number[] = [];
      const results = await service.signFiles(
        { jobs: jobs(['0', 'broken', '1', '2'], 'out1'), token: { label: token.label }, pin: token.pin },
        { onProgress: (p) => progress.push(p.done) },
      );
      expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
      expect(results[1]).toMatchObject({ error: { code: 'E_SIGN_UNSUPPORTED_FILE' } });
      expect(progress).toEqual([1, 2, 3, 4]);
      expect(await (await service.tokenClient()).loginAttempts()).toBe(1);
      for (const r of results.filter((x) => x.ok)) {
        expect((await verifyPdf(await readFile(r.output), { anchors: [root] }, pdfSandbox())).verdict).toBe(
          'valid',
        );
      }
      const controller = new AbortController();
      const cancelled = await service.signFiles(
        { jobs: jobs(['3', '4', '5'], 'out1'), token: { label: token.label }, pin: token.pin },
        { signal: controller.signal, onProgress: (p) => p.done === 1 && controller.abort() },
      );
      expect(cancelled.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
        'ok',
        'E_CANCELLED',
        'E_CANCELLED',
      ]);
    } finally {
      await service.close();
    }
  });

  it('the token disappearing mid-batch: a clear error for the rest, finished files kept and valid, no temp files', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'out2'));
    const service = createSigningService({
      modulePath: token.modulePath,
      tokenHost: { env: token.env, pollMs: 100 },
      trust: () => ({ anchors: [root] }),
    });
    try {
      const results = await service.signFiles(
        {
          jobs: jobs(['0', '1', '2', '3', '4', '5', '6', '7'], 'out2'),
          token: { label: token.label },
          pin: token.pin,
        },
        {
          // Pull the token after the second file (synchronously, before the third starts).
          onProgress: (p) => p.done === 2 && renameSync(token.tokenDir, `${token.tokenDir}-pulled`),
        },
      );
      const firstFailure = results.findIndex((r) => !r.ok);
      expect(firstFailure).toBeGreaterThanOrEqual(2);
      const failures = results.slice(firstFailure);
      expect(failures.length).toBeGreaterThan(0);
      for (const f of failures) expect(f.ok ? 'ok' : f.error.code).toBe('E_TOKEN_REMOVED');
      for (const r of results.slice(0, firstFailure)) {
        expect((await verifyPdf(await readFile(r.output), { anchors: [root] }, pdfSandbox())).verdict).toBe(
          'valid',
        );
      }
      const files = await readdir(join(dir, 'out2'));
      expect(files.sort()).toEqual(results.slice(0, firstFailure).map((_, i) => `${i}.pdf`));
    } finally {
      await service.close();
      await rename(`${token.tokenDir}-pulled`, token.tokenDir).catch(() => undefined);
    }
  });
});
